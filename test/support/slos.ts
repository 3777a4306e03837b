// What the SLO tests share: an API call with a key that retries a 429 after its Retry-After, as
// a real client does (the evaluation runs in the test's process, and ingest refuses requests
// while the event loop lags).
export async function callTend(url: string, key: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url + p, { method, headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status === 429 && attempt < 50) {
      await new Promise((r) => setTimeout(r, 20 + 10 * attempt));
      continue;
    }
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
}
