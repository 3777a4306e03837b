// The checks capability on a real store and pipeline, with a clock the test moves: state
// changes after N results, maintenance windows, heartbeat grace and cron deadlines across a
// daylight-saving change. Probes go to a real local HTTP server.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { AuthService } from '../src/auth/index.js';
import { defaultIngestLimits } from '../src/config.js';
import { IngestPipeline } from '../src/ingest/index.js';
import { ManualClock, startChecks, type Checks } from '../src/checks/index.js';
import { DatasetRegistry, DuckDatabase, DuckEventStore, type Environment } from '../src/store/index.js';
import { MetricsRegistry } from '../src/telemetry/index.js';
import { startHttpTarget, type HttpTarget } from './support/check-targets.js';
import { tempDataDir } from './support/tend.js';

const T0 = Date.parse('2026-03-27T12:00:00Z');

let db: DuckDatabase;
let store: DuckEventStore;
let datasets: DatasetRegistry;
let auth: AuthService;
let pipeline: IngestPipeline;
let web: HttpTarget;
let env: Environment;

beforeAll(async () => {
  db = await DuckDatabase.open(tempDataDir('tend-checks'));
  store = await DuckEventStore.open(db);
  datasets = await DatasetRegistry.open(db);
  auth = await AuthService.open(db);
  env = await auth.ensureEnvironment('production');
  pipeline = new IngestPipeline(store, datasets, defaultIngestLimits, new MetricsRegistry());
  web = await startHttpTarget();
});
afterAll(async () => {
  await web?.close();
  await pipeline?.idle();
  db?.close();
});

async function start(clock: ManualClock): Promise<Checks> {
  return startChecks({
    meta: db, auth, pipeline, metrics: new MetricsRegistry(), clock, node: 'node-test',
    settings: { configFile: '/nonexistent/tend.yaml', configFileNamed: false, concurrency: 10 },
    log: pino({ level: 'silent' }),
  });
}

/** Stops the capability and deletes its checks, so later tests on the same store do not run them. */
async function finish(checks: Checks): Promise<void> {
  for (const rec of checks.service.list(env.id)) await checks.service.remove(env, rec.name);
  await checks.stop();
}

async function events(dataset: string, name: string): Promise<Record<string, unknown>[]> {
  await pipeline.idle();
  const ds = await datasets.find(env.id, dataset);
  const source = ds && (await store.source([ds.id], 0, Number.MAX_SAFE_INTEGER));
  if (!source) return [];
  const rows = await store.read(`SELECT *, epoch_ms("__time") AS at FROM ${source} ORDER BY "__time"`, [], { timeoutMs: 10_000 });
  return rows.filter((r) => r['check.name'] === name);
}

describe('probing checks on a schedule', () => {
  it('goes down after failures_before_down, up after successes_before_up, writing every result and state change', async () => {
    const clock = new ManualClock(T0);
    const checks = await start(clock);
    try {
      const def = { name: 'flaky', kind: 'http', url: `${web.url}/500`, interval: '30s', failures_before_down: 2, successes_before_up: 2 };
      const rec = await checks.service.create(env, def);
      const results = async (n: number) => {
        // Each run has ended (booking its next turn) and its result is committed.
        await checks.idle();
        const rows = await events('tend.checks', 'flaky');
        expect(rows).toHaveLength(n);
        return rows;
      };
      await clock.advance(30_000); // first run within one interval (jitter)
      await results(1);
      expect(checks.service.view(rec).state).toBe('pending');
      await clock.advance(30_000);
      await results(2);
      expect(checks.service.view(rec).state).toBe('down');
      await checks.service.replace(env, 'flaky', { ...def, url: `${web.url}/ok` });
      await clock.advance(30_000);
      await results(3);
      expect(checks.service.view(rec).state).toBe('down');
      await clock.advance(30_000);
      const rows = await results(4);
      expect(checks.service.view(rec).state).toBe('up');
      expect(rows.map((r) => r.ok)).toEqual([false, false, true, true]);
      expect(rows[0]).toMatchObject({ 'check.kind': 'http', target: `${web.url}/500`, 'http.status_code': 500, error: 'status 500, expected 2xx or 3xx', maintenance: false, trigger: 'scheduled' });
      expect(typeof rows[0].duration_ms).toBe('number');
      // Runs are one interval apart on the controlled clock.
      expect(Number(rows[1].at) - Number(rows[0].at)).toBe(30_000);
      const states = await events('tend.check_states', 'flaky');
      expect(states.map((s) => [s.previous_state, s.state])).toEqual([['pending', 'down'], ['down', 'up']]);
      expect(states[0].reason).toBe('status 500, expected 2xx or 3xx');
    } finally {
      await finish(checks);
    }
  });

  it('records results inside a maintenance window without going down', async () => {
    const clock = new ManualClock(T0);
    const checks = await start(clock);
    try {
      const rec = await checks.service.create(env, {
        name: 'in-maintenance', kind: 'http', url: `${web.url}/500`, interval: '10s',
        maintenance: [{ from: new Date(T0).toISOString(), to: new Date(T0 + 60_000).toISOString() }],
      });
      // Virtual time must not pass a run still doing real I/O, so move one interval at a time.
      for (const n of [1, 2]) {
        await clock.advance(10_000);
        await checks.idle();
        expect(await events('tend.checks', 'in-maintenance')).toHaveLength(n);
      }
      expect(checks.service.view(rec).state).toBe('maintenance');
      const rows = await events('tend.checks', 'in-maintenance');
      expect(rows.every((r) => r.ok === false && r.maintenance === true && r.state === 'maintenance')).toBe(true);
      expect((await events('tend.check_states', 'in-maintenance')).map((s) => s.state)).toEqual(['maintenance']);
      // After the window the next failure counts.
      for (let i = 0; i < 5; i++) {
        await clock.advance(10_000);
        await checks.idle();
        expect(await events('tend.checks', 'in-maintenance')).toHaveLength(3 + i);
      }
      expect((await events('tend.check_states', 'in-maintenance')).map((s) => s.state)).toEqual(['maintenance', 'down']);
    } finally {
      await finish(checks);
    }
  });

  it('pauses and resumes through the service, with state events', async () => {
    const clock = new ManualClock(T0);
    const checks = await start(clock);
    try {
      const rec = await checks.service.create(env, { name: 'pausable', kind: 'http', url: `${web.url}/ok`, interval: '10s' });
      await checks.service.setPaused(env, 'pausable', true);
      expect(checks.service.view(rec).state).toBe('paused');
      await clock.advance(60_000);
      expect(await events('tend.checks', 'pausable')).toHaveLength(0);
      await checks.service.setPaused(env, 'pausable', false);
      await clock.advance(10_000);
      await checks.idle(); // the run has ended and its result is committed
      expect(checks.service.view(rec).state).toBe('up');
      expect((await events('tend.check_states', 'pausable')).map((s) => s.state)).toEqual(['paused', 'pending', 'up']);
    } finally {
      await finish(checks);
    }
  });
});

describe('isolation', () => {
  it('keeps running other checks while a slow target holds its own check', async () => {
    const slowTarget = await startHttpTarget();
    const clock = new ManualClock(T0);
    const checks = await start(clock);
    try {
      const slow = await checks.service.create(env, { name: 'slow', kind: 'http', url: `${slowTarget.url}/slow?ms=60000`, interval: '10s', timeout: '2m' });
      const fast = await checks.service.create(env, { name: 'fast', kind: 'http', url: `${web.url}/ok`, interval: '10s' });
      const runsOfFast: number[] = [];
      for (let turn = 1; turn <= 3; turn++) {
        await clock.advance(10_000);
        await vi.waitFor(() => expect(checks.service.view(fast).last?.at).not.toBe(runsOfFast.at(-1)), { timeout: 5000 });
        runsOfFast.push(checks.service.view(fast).last!.at);
      }
      // Three turns of the fast check, one interval apart, while the slow one's first run is still open.
      expect(runsOfFast[1] - runsOfFast[0]).toBe(10_000);
      expect(runsOfFast[2] - runsOfFast[1]).toBe(10_000);
      expect(checks.service.view(slow).last).toBeUndefined();
      expect(slowTarget.hits.get('/slow')).toBe(1);
    } finally {
      await slowTarget.close(); // ends the slow run so the capability can stop
      await finish(checks);
    }
  });
});

describe('heartbeats on a controlled clock', () => {
  const ping = async (checks: Checks, name: string, kind: 'success' | 'start' | 'fail', opts: { rid?: string } = {}) =>
    checks.service.ping(checks.service.get(env.id, name), kind, opts, { method: 'GET', remoteAddr: '127.0.0.1', bodyBytes: 0 });

  it('goes down when late (period + grace) and up again on the next ping', async () => {
    const clock = new ManualClock(T0);
    const checks = await start(clock);
    try {
      const rec = await checks.service.create(env, { name: 'hourly', kind: 'heartbeat', period: '1h', grace: '10m' });
      expect(checks.service.view(rec).state).toBe('pending');
      await clock.advance(5 * 3_600_000);
      expect(checks.service.view(rec).state).toBe('pending'); // never pinged: never late
      await ping(checks, 'hourly', 'success');
      expect(checks.service.view(rec).state).toBe('up');
      await clock.advance(69 * 60_000);
      expect(checks.service.view(rec).state).toBe('up');
      await clock.advance(60_001);
      expect(checks.service.view(rec).state).toBe('down');
      await ping(checks, 'hourly', 'success');
      expect(checks.service.view(rec).state).toBe('up');
      const states = await events('tend.check_states', 'hourly');
      expect(states.map((s) => s.state)).toEqual(['up', 'down', 'up']);
      expect(states[1].reason).toMatch(/^late: expected a ping by /);
      expect(Number(states[1].at)).toBe(T0 + 5 * 3_600_000 + 70 * 60_000);
      const pings = await events('tend.pings', 'hourly');
      expect(pings.map((p) => p['ping.kind'])).toEqual(['success', 'success']);
    } finally {
      await finish(checks);
    }
  });

  it('follows a cron schedule in local time across the spring-forward change', async () => {
    const clock = new ManualClock(Date.parse('2026-03-28T03:00:05Z'));
    const checks = await start(clock);
    try {
      const rec = await checks.service.create(env, { name: 'nightly', kind: 'heartbeat', cron: '0 3 * * *', tz: 'Europe/London', grace: '1h' });
      await ping(checks, 'nightly', 'success');
      // 03:00 London on the 29th is 02:00Z (BST); late at 03:00Z, not 04:00Z as fixed 24 h would say.
      await clock.set(Date.parse('2026-03-29T02:59:59Z'));
      expect(checks.service.view(rec).state).toBe('up');
      await clock.set(Date.parse('2026-03-29T03:00:01Z'));
      expect(checks.service.view(rec).state).toBe('down');
    } finally {
      await finish(checks);
    }
  });

  it('goes down when a run is too fast, too slow, or never finishes', async () => {
    const clock = new ManualClock(T0);
    const checks = await start(clock);
    try {
      const rec = await checks.service.create(env, { name: 'bounded', kind: 'heartbeat', period: '1d', grace: '1h', min_duration: '1m', max_duration: '10m' });
      const rid = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
      await ping(checks, 'bounded', 'start', { rid });
      await clock.advance(5 * 60_000);
      await ping(checks, 'bounded', 'success', { rid });
      expect(checks.service.view(rec).state).toBe('up');
      await ping(checks, 'bounded', 'start', { rid });
      await clock.advance(10_000);
      await ping(checks, 'bounded', 'success', { rid });
      expect(checks.service.view(rec).state).toBe('down');
      expect(checks.service.view(rec).last?.error).toMatch(/less than min_duration 1m/);
      await ping(checks, 'bounded', 'start');
      await clock.advance(5 * 60_000);
      await ping(checks, 'bounded', 'success');
      expect(checks.service.view(rec).state).toBe('up');
      await ping(checks, 'bounded', 'start');
      await clock.advance(10 * 60_000 + 1);
      expect(checks.service.view(rec).state).toBe('down');
      expect(checks.service.view(rec).last?.error).toMatch(/has not finished within max_duration 10m/);
      await checks.idle();
      const runs = (await events('tend.checks', 'bounded')).map((r) => [r.ok, r.duration_ms]);
      expect(runs).toEqual([[true, 300_000], [false, 10_000], [true, 300_000], [false, 0]]);
    } finally {
      await finish(checks);
    }
  });
});
