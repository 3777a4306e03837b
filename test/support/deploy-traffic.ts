// Generated request traffic for deploy-report tests: endpoints with their own latency and error
// rate, customers of very different sizes (Zipf), log-normal latencies, and a regression that
// can be injected into chosen endpoints and customers after the deploy. The same events feed
// the in-memory statistics (aggregate) and the server (as Honeycomb events).
import { LOG_BIN } from '../../src/deploys/statistics.js';
import type { GroupStats, WindowStats } from '../../src/deploys/compare.js';
import type { Random } from './random.js';

export interface Request {
  endpoint: string;
  customer_id: string;
  build_id: string;
  duration_ms: number;
  status_code: number;
}

export const ENDPOINTS = ['/cart', '/checkout', '/pay', '/search', '/login', '/orders', '/profile', '/items'];
export const CUSTOMERS = Array.from({ length: 60 }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
const MEDIAN_MS = [20, 80, 120, 40, 30, 60, 25, 35];
const ERROR_RATE = [0.01, 0.02, 0.03, 0.01, 0.005, 0.02, 0.01, 0.015];
const ENDPOINT_WEIGHTS = [3, 2, 1.5, 3, 1, 1.5, 1, 2];
const CUSTOMER_WEIGHTS = CUSTOMERS.map((_, i) => 1 / (i + 1));

export interface Regression {
  endpoints?: Record<string, { errorRate?: number; slower?: number }>;
  customers?: Record<string, { errorRate?: number; slower?: number }>;
}

function pickWeighted(r: Random, weights: number[], total: number): number {
  let x = r.next() * total;
  for (let i = 0; i < weights.length; i++) if ((x -= weights[i]) < 0) return i;
  return weights.length - 1;
}

function normal(r: Random): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

/** `n` requests of one window; `regression` applies to every one of them. */
export function requests(r: Random, n: number, build = 'b1', regression: Regression = {}): Request[] {
  const ew = ENDPOINT_WEIGHTS.reduce((a, b) => a + b, 0);
  const cw = CUSTOMER_WEIGHTS.reduce((a, b) => a + b, 0);
  const out: Request[] = [];
  for (let i = 0; i < n; i++) {
    const e = pickWeighted(r, ENDPOINT_WEIGHTS, ew);
    const customer = CUSTOMERS[pickWeighted(r, CUSTOMER_WEIGHTS, cw)];
    const byE = regression.endpoints?.[ENDPOINTS[e]] ?? {};
    const byC = regression.customers?.[customer] ?? {};
    const slower = (byE.slower ?? 1) * (byC.slower ?? 1);
    const errorRate = ERROR_RATE[e] + (byE.errorRate ?? 0) + (byC.errorRate ?? 0);
    const duration = Math.round(MEDIAN_MS[e] * slower * Math.exp(0.6 * normal(r)) * 100) / 100;
    out.push({ endpoint: ENDPOINTS[e], customer_id: customer, build_id: build, duration_ms: duration, status_code: r.next() < errorRate ? 500 : 200 });
  }
  return out;
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];

/** What the query engine answers for one window, computed here from the events themselves. */
export function aggregate(events: Request[], field: 'endpoint' | 'customer_id' | 'build_id', seconds: number, keep?: Set<string>): WindowStats {
  const byKey = new Map<string, Request[]>();
  for (const e of events) {
    if (keep && !keep.has(e[field])) continue;
    const list = byKey.get(e[field]);
    if (list) list.push(e);
    else byKey.set(e[field], [e]);
  }
  const groups = new Map<string, GroupStats>();
  for (const [key, list] of byKey) {
    const sorted = list.map((e) => e.duration_ms).sort((a, b) => a - b);
    const hist = new Map<number, number>();
    for (const d of sorted) {
      const k = Math.floor(Math.log10(d) / LOG_BIN);
      hist.set(k, (hist.get(k) ?? 0) + 1);
    }
    groups.set(key, {
      count: list.length, errors: list.filter((e) => e.status_code >= 500).length,
      p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), hist,
    });
  }
  return { seconds, scale: 1, groups };
}

/** The `n` customers with the most events. */
export function topCustomers(events: Request[], n = 20): Set<string> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.customer_id, (counts.get(e.customer_id) ?? 0) + 1);
  return new Set([...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([c]) => c));
}
