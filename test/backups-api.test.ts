// Issue 16 items 1-2 through the API: admin only, the body's problems named, a backup taken
// while a writer keeps sending (every batch acknowledged before the request is in it, and each
// batch is in it whole or not at all), progress while it runs, the schedule of tend.yaml with
// its `tend-backup` heartbeat pinged and `keep` applied, and a `tend.backups` event per run.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDatabase, DuckEventStore } from '../src/store/index.js';
import { backupIds, checkBackup, chooseBackup, openDestination, restoreInto, type BackupJob } from '../src/backups/index.js';
import { startTestTend, tempDataDir, type TestTend } from './support/tend.js';
import { storedEvents } from './support/stored.js';

let t: TestTend;
const scheduledDest = tempDataDir('tend-backups-scheduled');
beforeAll(async () => {
  const dir = tempDataDir('tend-backups-config');
  const config = path.join(dir, 'tend.yaml');
  fs.writeFileSync(config, `environment: production\nbackups:\n  schedule: "0 3 * * *"\n  dest: ${scheduledDest}\n  keep: 2\n  grace: 2h\n`);
  t = await startTestTend({ config });
});
afterAll(async () => {
  await t?.close();
});

const api = (method: string, route: string, key: string, body?: unknown) =>
  fetch(`${t.url}${route}`, { method, headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

async function finished(id: string): Promise<{ job: BackupJob; seen: number[] }> {
  const seen: number[] = [];
  for (;;) {
    const job = (await (await api('GET', `/api/v1/backups/${id}`, t.adminKey)).json()) as BackupJob;
    seen.push(job.progress.files_done);
    if (job.status === 'done' || job.status === 'failed') return { job, seen };
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('backups API', () => {
  it('answers 403 to a non-admin key and 400 naming the field', async () => {
    expect((await api('POST', '/api/v1/backups', t.ingestKey, { dest: '/tmp/x' })).status).toBe(403);
    const missing = await api('POST', '/api/v1/backups', t.adminKey, {});
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/^dest:/);
    const relative = await api('POST', '/api/v1/backups', t.adminKey, { dest: 'backups/here' });
    expect(relative.status).toBe(400);
    expect(((await relative.json()) as { error: string }).error).toMatch(/^dest: an absolute folder/);
    const keep = await api('POST', '/api/v1/backups', t.adminKey, { dest: '/tmp/x', keep: 0 });
    expect(((await keep.json()) as { error: string }).error).toMatch(/^keep:/);
    expect((await api('GET', '/api/v1/backups/nope', t.adminKey)).status).toBe(404);
  });

  it('takes a point-in-time backup while a writer keeps sending', { timeout: 60_000 }, async () => {
    const dest = tempDataDir('tend-backups-api');
    let seq = 0;
    /** The highest sequence number acknowledged so far. */
    let acked = 0;
    let writing = true;
    const sendBatch = async () => {
      const first = seq + 1;
      const events = Array.from({ length: 200 }, () => ({ data: { seq: ++seq, batch: first } }));
      const res = await api('POST', '/1/batch/orders', t.ingestKey, events);
      expect(res.status).toBe(200);
      acked = Math.max(acked, first + 199);
    };
    for (let i = 0; i < 20; i++) await sendBatch();
    const writer = (async () => {
      while (writing) await sendBatch();
    })();
    const ackedBefore = acked;
    const res = await api('POST', '/api/v1/backups', t.adminKey, { dest });
    expect(res.status).toBe(202);
    const started = (await res.json()) as BackupJob;
    expect(started).toMatchObject({ status: expect.stringMatching(/queued|running/), progress: { files_done: 0 }, dest });
    const { job, seen } = await finished(started.id);
    writing = false;
    await writer;
    expect(job).toMatchObject({ status: 'done', id: started.id });
    expect(job.progress.files_done).toBe(job.progress.files);
    expect(seen.at(-1)).toBe(job.progress.files);

    // What the backup holds: every sequence number up to some k >= ackedBefore, whole batches only.
    const restored = path.join(tempDataDir('tend-backups-api-restored'), 'data');
    const d = openDestination(dest);
    await restoreInto(await checkBackup(d, await chooseBackup(d, job.id)), restored);
    await d.close();
    const db = await DuckDatabase.open(restored);
    try {
      const store = await DuckEventStore.open(db);
      const [ds] = await db.query<{ id: string }>("SELECT id FROM datasets WHERE slug = 'orders'");
      const source = (await store.source([ds.id], 0, Number.MAX_SAFE_INTEGER))!;
      const [r] = await store.read(`SELECT count(*) AS n, count(DISTINCT seq) AS distinct_seq, max(seq) AS top, count(DISTINCT batch) AS batches FROM ${source}`, [], { timeoutMs: 10_000 });
      expect(Number(r.top)).toBeGreaterThanOrEqual(ackedBefore);
      expect(r.n).toBe(r.top);
      expect(r.distinct_seq).toBe(r.top);
      expect(Number(r.n) % 200).toBe(0);
      expect(Number(r.top)).toBeLessThanOrEqual(seq);
      expect(seq, "the writer went on during the backup").toBeGreaterThan(ackedBefore);
    } finally {
      db.close();
    }
    const events = await storedEvents(t.tend, 'tend.backups');
    expect(events.find((e) => e['backup.id'] === job.id)).toMatchObject({ 'backup.status': 'done', 'backup.trigger': 'api', 'backup.rows': job.rows });
  });

  it('runs on the schedule of tend.yaml, pinging tend-backup and keeping the newest backups', { timeout: 60_000 }, async () => {
    const schedule = t.tend.backups.schedule!;
    const env = (await t.tend.auth.environment('production'))!;
    const hb = t.tend.checks.service.find(env.id, 'tend-backup')!;
    expect(hb.definition).toMatchObject({ kind: 'heartbeat', cron: '0 3 * * *', grace: '2h' });
    for (let i = 0; i < 3; i++) await schedule.runNow();
    const dest = openDestination(scheduledDest);
    expect(await backupIds(dest)).toHaveLength(2);
    await dest.close();
    const pings = (await storedEvents(t.tend, 'tend.pings')).filter((e) => e['check.name'] === 'tend-backup');
    expect(pings.map((p) => p['ping.kind'])).toEqual(['start', 'success', 'start', 'success', 'start', 'success']);
    expect(t.tend.checks.service.view(hb).state).toBe('up');
    const runs = (await storedEvents(t.tend, 'tend.backups')).filter((e) => e['backup.trigger'] === 'schedule');
    expect(runs.map((r) => [r['backup.status'], r['backup.removed'] ?? 0])).toEqual([['done', 0], ['done', 0], ['done', 1]]);
    // A later run of an unchanged store writes only metadata: its days are shared.
    expect(runs[2]['backup.files_written']).toBeLessThan(Number(runs[2]['backup.files']));
  });
});
