// Property test (issue 12 item 2): for generated events (sample rates, times on and either side
// of every window edge to the microsecond) and generated SLIs, every number /api/v1/slos
// answers equals a reference computed here in plain TypeScript over the same events: the
// query engine's per-minute rollups, the windows and the arithmetic all hold exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTend } from './support/slos.js';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
const MIN_US = 60_000_000;

interface Ev { us: number; w: number; status: number; duration_ms: number; endpoint: string; user?: string }

/** A small seeded generator, so a failure can be replayed from its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32);
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}
type Rng = ReturnType<typeof rng>;

const ENDPOINTS = ['/pay', '/cart', '/health', '/api/items', '/api/users'] as const;

/** An SLI as text and as a function of an event (SQL's rules: only IF's null branch makes null). */
interface Sli { text: string; f: (e: Ev) => boolean | null }

function leaf(r: Rng): Sli {
  const k = r.int(0, 5);
  if (k === 0) { const x = r.int(50, 900); return { text: `LT($duration_ms, ${x})`, f: (e) => e.duration_ms < x }; }
  if (k === 1) { const x = r.int(50, 900); return { text: `GTE($duration_ms, ${x})`, f: (e) => e.duration_ms >= x }; }
  if (k === 2) return { text: 'LT($status, 500)', f: (e) => e.status < 500 };
  if (k === 3) { const p = r.pick(ENDPOINTS); return { text: `EQUALS($endpoint, "${p}")`, f: (e) => e.endpoint === p }; }
  if (k === 4) return { text: 'STARTS_WITH($endpoint, "/api")', f: (e) => e.endpoint.startsWith('/api') };
  return { text: 'EXISTS($user)', f: (e) => e.user !== undefined };
}

function verdict(r: Rng, depth: number): Sli {
  if (depth === 0 || r.next() < 0.35) return leaf(r);
  const k = r.int(0, 2);
  const a = verdict(r, depth - 1);
  if (k === 2) return { text: `NOT(${a.text})`, f: (e) => !a.f(e) };
  const b = verdict(r, depth - 1);
  return k === 0 ? { text: `AND(${a.text}, ${b.text})`, f: (e) => (a.f(e) as boolean) && (b.f(e) as boolean) } : { text: `OR(${a.text}, ${b.text})`, f: (e) => (a.f(e) as boolean) || (b.f(e) as boolean) };
}

function sli(r: Rng): Sli {
  const v = verdict(r, 2);
  if (r.next() < 0.5) return v;
  const skip = leaf(r);
  return { text: `IF(${skip.text}, null, ${v.text})`, f: (e) => (skip.f(e) ? null : v.f(e)) };
}

/** The reference: sums over raw events with times in [fromUs, toUs). */
function counts(events: Ev[], s: Sli, fromUs: number, toUs: number) {
  let good = 0;
  let eligible = 0;
  for (const e of events) {
    if (e.us < fromUs || e.us >= toUs) continue;
    const v = s.f(e);
    if (v === null) continue;
    eligible += e.w;
    if (v) good += e.w;
  }
  return { good, eligible };
}

function reference(events: Ev[], s: Sli, target: number, periodDays: number, nowMs: number) {
  const endUs = (Math.floor(nowMs / 60_000) + 1) * MIN_US;
  const startUs = endUs - periodDays * 1440 * MIN_US;
  const allowed = 1 - target / 100;
  const p = counts(events, s, startUs, endUs);
  const budget = allowed * p.eligible;
  const bad = p.eligible - p.good;
  const burn = (minutes: number) => {
    const c = counts(events, s, endUs - minutes * MIN_US, endUs);
    return c.eligible > 0 ? (c.eligible - c.good) / c.eligible / allowed : 0;
  };
  const hour = counts(events, s, endUs - 60 * MIN_US, endUs);
  const left = budget - bad;
  const perMinute = (hour.eligible - hour.good) / 60;
  const exhaustion = p.eligible > 0 && left <= 0 ? nowMs : perMinute <= 0 ? null : Math.round(nowMs + (left / perMinute) * 60_000);
  const history = [];
  let spent = 0;
  for (let d = startUs; d < endUs; d += 1440 * MIN_US) {
    const c = counts(events, s, d, d + 1440 * MIN_US);
    spent += c.eligible - c.good;
    history.push({ start: new Date(d / 1000).toISOString(), eligible: c.eligible, good: c.good, compliance: c.eligible > 0 ? c.good / c.eligible : 1, budget_remaining: budget > 0 ? (budget - spent) / budget : 1 });
  }
  return {
    eligible: p.eligible, good: p.good,
    compliance: p.eligible > 0 ? p.good / p.eligible : 1,
    budget, budget_remaining: budget > 0 ? (budget - bad) / budget : 1,
    burn_rates: { '5m': burn(5), '30m': burn(30), '1h': burn(60), '6h': burn(360), '1d': burn(1440), '3d': burn(4320) },
    exhaustion_at: exhaustion === null ? null : new Date(exhaustion).toISOString(),
    history,
  };
}

function events(r: Rng, nowMs: number, periodDays: number): Ev[] {
  const endUs = (Math.floor(nowMs / 60_000) + 1) * MIN_US;
  const startUs = endUs - periodDays * 1440 * MIN_US;
  // Every edge a number depends on, on it and a microsecond either side.
  const edges = [startUs, endUs, ...[5, 30, 60, 360, 1440, 4320].map((m) => endUs - m * MIN_US)];
  for (let d = startUs; d < endUs; d += 1440 * MIN_US) edges.push(d);
  const times: number[] = edges.flatMap((e) => [e - 1, e, e + 1]);
  const n = r.int(150, 400);
  for (let i = 0; i < n; i++) {
    // Most in the last hours (where the short windows look), the rest over the period and before it.
    const span = r.next() < 0.6 ? 6 * 60 * MIN_US : (periodDays + 1) * 1440 * MIN_US;
    times.push(endUs - 1 - Math.floor(r.next() * span));
  }
  return times.map((us) => ({
    us,
    w: r.pick([1, 1, 1, 2, 5, 10]),
    status: r.pick([200, 200, 200, 404, 500, 503]),
    duration_ms: r.int(1, 1000) + (r.next() < 0.5 ? 0.5 : 0),
    endpoint: r.pick(ENDPOINTS),
    ...(r.next() < 0.5 ? { user: `u${r.int(1, 9)}` } : {}),
  }));
}

async function api(method: string, p: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await callTend(t.url, t.adminKey, method, p, body);
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  t = await startTestTend();
}, 30_000);

afterAll(() => t?.close());

describe('SLO numbers against a plain TypeScript reference', () => {
  it('agree exactly for generated events, sample rates, window edges and SLIs', async () => {
    const seeds = [1, 2, 3, 4, 5, 6];
    for (const seed of seeds) {
      const r = rng(seed * 7919);
      // In the past (alerts treat end times after the real now as still firing), anywhere within a minute.
      const nowMs = Date.now() - 5 * 86_400_000 + r.int(0, 59_999);
      const periodDays = r.int(1, 3);
      const target = r.pick([90, 95.5, 99, 99.5, 99.9]);
      const s = sli(r);
      const evs = events(r, nowMs, periodDays);
      const dataset = `prop-${seed}`;
      for (let i = 0; i < evs.length; i += 500) {
        await api('POST', `/1/batch/${dataset}`, evs.slice(i, i + 500).map((e) => ({
          time: e.us, samplerate: e.w, data: { status: e.status, duration_ms: e.duration_ms, endpoint: e.endpoint, ...(e.user ? { user: e.user } : {}) },
        })));
      }
      const alias = `sli_${seed}`;
      await api('POST', `/1/derived_columns/${dataset}`, { alias, expression: s.text });
      const created = await api('POST', `/1/slos/${dataset}`, { name: `p-${seed}`, sli: { alias }, time_period_days: periodDays, target_per_million: Math.round(target * 10_000) });
      await t.tend.slos.service.evaluateNow([created.id], nowMs);
      const got = await api('GET', `/api/v1/slos/p-${seed}`);
      const want = reference(evs, s, got.target, periodDays, nowMs);
      expect(got.error, `seed ${seed}: ${s.text}`).toBeNull();
      expect(got.target).toBe(target);
      expect({ ...want }, `seed ${seed}: ${s.text}`).toEqual({
        eligible: got.eligible, good: got.good, compliance: got.compliance, budget: got.budget, budget_remaining: got.budget_remaining,
        burn_rates: got.burn_rates, exhaustion_at: got.exhaustion_at, history: got.history,
      });
      // Something was counted and something judged bad, or the comparison proves little.
      expect(want.eligible, `seed ${seed}`).toBeGreaterThan(0);
    }
  }, 120_000);
});
