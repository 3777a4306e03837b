// Backup, incremental backup, restore and verify on a real store in this process: events over
// two days in two shapes (so a day spans several tables), metadata, and a damaged file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTend, tempDataDir, type TestTend } from '../../test/support/tend.js';
import { DuckDatabase, DuckEventStore, type EventStore } from '../store/index.js';
import { runBackup } from './backup.js';
import type { EventFile, Manifest } from './manifest.js';
import { openDestination } from './destination.js';
import { checkBackup, chooseBackup, restoreInto } from './restore.js';
import { verifyBackup } from './verify.js';

const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;

const eventFiles = (m: Manifest) => m.files.filter((f): f is EventFile => f.kind === 'events');

let t: TestTend;
beforeAll(async () => {
  t = await startTestTend();
});
afterAll(async () => {
  await t?.close();
});

async function send(dataset: string, events: object[]): Promise<void> {
  const res = await fetch(`${t.url}/1/batch/${dataset}`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: JSON.stringify(events) });
  expect(res.status).toBe(200);
}

const narrow = (n: number, dayMs: number) => Array.from({ length: n }, (_, i) => ({ time: new Date(dayMs + 1000 + i * 1000).toISOString(), data: { route: `/r${i % 7}`, ms: i } }));
// 80 fields: too wide for the narrow events' table, so the day gets a second table.
const wide = (n: number, dayMs: number) =>
  Array.from({ length: n }, (_, i) => ({ time: new Date(dayMs + 5000 + i).toISOString(), data: Object.fromEntries(Array.from({ length: 80 }, (_, k) => [`f${k}`, k + i])) }));

/** Per dataset and day: events and the characters of all their values, as the store reads them. */
async function countsOf(db: DuckDatabase, store: EventStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const ds of await db.query<{ id: string; name: string }>('SELECT id, name FROM datasets ORDER BY name')) {
    const source = await store.source([ds.id], 0, Date.now() * 1000 + 86_400_000_000);
    if (!source) continue;
    const rows = await store.read(`SELECT strftime("__time", '%Y-%m-%d') AS day, count(*) AS n, sum(length(CAST(COLUMNS(*) AS VARCHAR))) AS chars FROM ${source} GROUP BY ALL ORDER BY ALL`, [], { timeoutMs: 10_000 });
    for (const r of rows) out[`${ds.name} ${String(r.day)}`] = Number(r.n) * 1e6 + Number(r.chars);
  }
  return out;
}

async function countsOfFolder(dataDir: string): Promise<Record<string, number>> {
  const db = await DuckDatabase.open(dataDir);
  try {
    return await countsOf(db, await DuckEventStore.open(db));
  } finally {
    db.close();
  }
}

describe('backups to a folder', () => {
  it('takes a backup, shares unchanged days with the next, restores and verifies', { timeout: 60_000 }, async () => {
    await send('web', [...narrow(300, today - DAY_MS), ...narrow(200, today)]);
    await send('web', wide(50, today - DAY_MS));
    await send('jobs', narrow(40, today));
    const dest = tempDataDir('tend-backup-dest');

    const first = await runBackup(t.tend.db, openDestination(dest));
    const events = eventFiles(first.manifest);
    expect(events.map((f) => [f.dataset, f.rows]).sort()).toEqual([['jobs', 40], ['web', 200], ['web', 350]]);
    expect(first.rows).toBe(590);
    for (const f of first.manifest.files) expect(fs.statSync(path.join(dest, f.path)).size).toBe(f.bytes);

    // Only today's web day changed: yesterday and jobs are named again, not written again.
    await send('web', narrow(10, today));
    const second = await runBackup(t.tend.db, openDestination(dest));
    // Taken within the same second, the later backup still has the greater id: it is the one restored.
    expect(second.manifest.id > first.manifest.id).toBe(true);
    const written = eventFiles(second.manifest).filter((f) => !events.some((e) => e.path === f.path));
    expect(written.map((f) => [f.dataset, f.rows])).toEqual([['web', 210]]);
    expect(second.progress.files_written).toBe(second.manifest.files.length - 2);

    const restored = tempDataDir('tend-restored');
    fs.rmSync(restored, { recursive: true });
    const dst = openDestination(dest);
    await restoreInto(await checkBackup(dst, await chooseBackup(dst)), restored);
    await dst.close();
    expect(await countsOfFolder(restored)).toEqual(await countsOf(t.tend.db, t.tend.store));

    const report = await verifyBackup(openDestination(dest));
    expect(report).toMatchObject({ ok: true, backup: second.manifest.id, event_rows: 600, bad: [] });

    // Damage yesterday's shared file: both backups name it.
    const shared = eventFiles(second.manifest).find((f) => f.rows === 350)!;
    const file = path.join(dest, shared.path);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const damaged = await verifyBackup(openDestination(dest), first.manifest.id);
    expect(damaged.ok).toBe(false);
    expect(damaged.bad).toEqual([{ path: shared.path, problem: expect.stringMatching(/SHA-256/) }]);
    await expect(restoreFolder(dest)).rejects.toThrow(shared.path);
  });
});

async function restoreFolder(dest: string): Promise<void> {
  const dst = openDestination(dest);
  try {
    await restoreInto(await checkBackup(dst, await chooseBackup(dst)), tempDataDir('tend-restore-bad') + '/data');
  } finally {
    await dst.close();
  }
}
