// One POST to a receiver's service, with a timeout. 2xx is delivered; 429, 408 and 5xx and
// network failures are worth retrying; other 4xx mean the request itself is wrong.
export class DeliveryError extends Error {
  constructor(message: string, readonly permanent: boolean, readonly httpStatus?: number) {
    super(message);
  }
}

export interface SendContext {
  /** Stays the same for every attempt of one notification, across restarts. */
  idempotencyKey: string;
  timeoutMs: number;
}

export interface SendResult {
  httpStatus?: number;
}

export async function post(url: string, body: string, headers: Record<string, string>, ctx: SendContext): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, headers: { 'idempotency-key': ctx.idempotencyKey, 'user-agent': 'Tend-Alerts', ...headers }, signal: AbortSignal.timeout(ctx.timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new DeliveryError(`${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, false);
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return { httpStatus: res.status };
  const retry = res.status === 408 || res.status === 429 || res.status >= 500;
  throw new DeliveryError(`${url} answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, !retry, res.status);
}

export const postJson = (url: string, body: unknown, headers: Record<string, string>, ctx: SendContext) =>
  post(url, JSON.stringify(body), { 'content-type': 'application/json', ...headers }, ctx);
