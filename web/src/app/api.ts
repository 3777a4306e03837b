// Every call to Tend's API: same-origin with the session cookie, the CSRF token on changes, the
// chosen environment in X-Tend-Environment, and errors turned into words the page can show.
let csrfToken: string | undefined;
let environment: string | undefined;

export function setCredentials(csrf: string | undefined, env: string | undefined): void {
  csrfToken = csrf;
  environment = env;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Called when the API says the session is gone (401), so the app can send the person to sign in. */
let onSignedOut: () => void = () => {};
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (environment) headers['x-tend-environment'] = environment;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'Tend did not answer: check that the server is running and the network is up.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const message = (json as { error?: string } | undefined)?.error ?? `${res.status} ${res.statusText}`;
    if (res.status === 401 && !path.startsWith('/api/v1/auth/')) onSignedOut();
    const retry = res.headers.get('retry-after');
    throw new ApiError(res.status, retry ? `${message} (try again in ${retry} s)` : message);
  }
  return json as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal);
export const post = <T>(path: string, body?: unknown, signal?: AbortSignal) => api<T>('POST', path, body ?? {}, signal);
