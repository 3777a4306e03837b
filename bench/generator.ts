// The benchmark event generator: wide events of about 20 fields shaped like a real API's
// request log, with high-cardinality customer ids, build ids and trace ids. Deterministic for
// a given seed so every run (and every reference) sees the same events.

/** mulberry32: a small, fast, seedable PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Exported so bench/query-data.ts generates its events in SQL from the same value sets.
export const ENDPOINTS = Array.from({ length: 48 }, (_, i) => `/api/v${1 + (i % 3)}/${['users', 'orders', 'items', 'carts', 'search', 'payments', 'auth', 'reports'][i % 8]}${i >= 24 ? '/:id' : ''}`);
export const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-south-1', 'ap-northeast-1', 'sa-east-1', 'ca-central-1'];
export const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
export const PLANS = ['free', 'team', 'business', 'enterprise'];
export const SERVICES = ['api', 'checkout', 'search', 'accounts', 'billing', 'catalog', 'gateway', 'notifications', 'media', 'reports'];

export interface GeneratedEvent {
  [field: string]: string | number | boolean;
}

function hex(next: () => number, chars: number): string {
  let s = '';
  while (s.length < chars) s += Math.floor(next() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, chars);
}

/** `count` events starting at index `from`; event i is the same in every run. */
export function generateEvents(from: number, count: number, seed = 42): GeneratedEvent[] {
  const out: GeneratedEvent[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = from + k;
    const next = rng(seed * 1_000_003 + i);
    const r = next();
    const status = r < 0.9 ? 200 : r < 0.95 ? 404 : r < 0.98 ? 400 : r < 0.995 ? 500 : 503;
    const endpoint = ENDPOINTS[Math.floor(next() ** 2 * ENDPOINTS.length)];
    // Log-normal latency: a long tail, slower on errors.
    const duration = Math.exp(3 + next() * 1.5 + (status >= 500 ? 1.5 : 0)) * (0.5 + next());
    out[k] = {
      service: SERVICES[i % SERVICES.length],
      endpoint,
      method: METHODS[Math.floor(next() * METHODS.length)],
      status_code: status,
      duration_ms: Math.round(duration * 1000) / 1000,
      customer_id: `cust_${Math.floor(next() ** 3 * 200_000)}`,
      build_id: `build_${1000 + Math.floor(next() * 300)}`,
      region: REGIONS[Math.floor(next() * REGIONS.length)],
      host: `ip-10-0-${Math.floor(next() * 8)}-${Math.floor(next() * 250)}`,
      'user.plan': PLANS[Math.floor(next() ** 2 * PLANS.length)],
      'db.query_count': Math.floor(next() * 12),
      'db.duration_ms': Math.round(duration * next() * 100) / 100,
      cache_hit: next() < 0.7,
      error: status >= 500,
      response_bytes: Math.floor(next() * 50_000),
      'trace.trace_id': hex(next, 32),
      'trace.span_id': hex(next, 16),
      'app.version': `2.${Math.floor(next() * 20)}.${Math.floor(next() * 10)}`,
      user_agent: `client/${1 + Math.floor(next() * 5)}.${Math.floor(next() * 10)}`,
      retry: Math.floor(next() * 10) === 0,
    };
  }
  return out;
}

/** Event i's time: spread evenly over [endMs - spanMs, endMs). */
export function eventTimeMs(i: number, total: number, endMs: number, spanMs: number): number {
  return Math.floor(endMs - spanMs + (i * spanMs) / total);
}
