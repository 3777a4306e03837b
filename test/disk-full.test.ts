// Disk safety on a real small file system: a 64 MB tmpfs the test mounts (it must run as root,
// or the test is skipped saying why). Events flow in while a file fills the disk past
// --min-free-disk: writes get 507 within one look (5 s), /readyz says why, the TendDiskLow alert
// fires, queries, heartbeat pings and check state keep working; once the file goes, writes are
// accepted again within 10 s and the alert resolves. Every event acknowledged is stored, and
// still there after a restart.
import { execFileSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRequest } from '../src/ingest/otlp/index.js';
import { startTestTend, tempDataDir, type TestTend } from './support/tend.js';
import { until } from './support/until.js';

const MiB = 1024 * 1024;
const UUID = '3d9c8f0a-6b1e-4c2d-9a7f-5e4b3c2a1d0f';
const mountPoint = tempDataDir('tend-disk-full');

function mount(): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `cannot mount a 64 MB tmpfs at ${mountPoint} (the test needs root): ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
}
const skipped = mount();
if (skipped) console.warn(`test/disk-full.test.ts skipped: ${skipped}`);

let t: TestTend | undefined;
let stopSender: (() => Promise<void>) | undefined;
afterAll(async () => {
  await stopSender?.().catch(() => undefined);
  await t?.close();
  // Lazily: DuckDB lets go of its files when its instance is collected, not at close.
  if (!skipped) execFileSync('umount', ['--lazy', mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends batches of events one after the other, counting what was acknowledged and what was refused. */
function sender(url: string, key: string) {
  const stats = { acked: 0, refused: 0, lastRefusal: '', lastAckAt: 0, firstRefusalAt: 0 };
  let running = true;
  let seq = 0;
  const loop = (async () => {
    while (running) {
      const batch = Array.from({ length: 200 }, () => ({ data: { seq: seq++, payload: 'x'.repeat(200) } }));
      const res = await fetch(`${url}/1/batch/app`, { method: 'POST', headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
      if (res.status === 200) {
        const statuses = (await res.json()) as { status: number }[];
        stats.acked += statuses.filter((s) => s.status === 202).length;
        stats.lastAckAt = Date.now();
      } else {
        expect(res.status).toBe(507);
        stats.refused++;
        stats.firstRefusalAt ||= Date.now();
        stats.lastRefusal = `${res.headers.get('retry-after')} ${((await res.json()) as { error: string }).error}`;
      }
      await sleep(50);
    }
  })();
  return { stats, stop: async () => ((running = false), await loop) };
}

/** One OTLP/gRPC logs export; resolves with the status code and details. */
function grpcExport(address: string, key: string): Promise<{ code: number; details?: string }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('x-honeycomb-team', key);
  const identity = (b: Buffer) => b;
  const body = Buffer.from(encodeRequest('logs', { resourceLogs: [] }));
  return new Promise((resolve) =>
    client.makeUnaryRequest('/opentelemetry.proto.collector.logs.v1.LogsService/Export', identity, identity, body, metadata, (err) => {
      client.close();
      resolve({ code: err?.code ?? 0, details: err?.details });
    }),
  );
}

describe.skipIf(skipped)('a data folder whose disk fills up', () => {
  it('refuses event writes with 507 and resumes by itself, losing nothing acknowledged', async () => {
    const dataDir = path.join(mountPoint, 'data');
    fs.mkdirSync(dataDir);
    const configFile = path.join(mountPoint, 'tend.yaml');
    fs.writeFileSync(configFile, `checks:\n  - { name: nightly, kind: heartbeat, period: 1d, uuid: ${UUID} }\n`);
    t = await startTestTend({ data: dataDir, config: configFile, minFreeDisk: '24MB' });
    const get = async (route: string) => {
      const res = await fetch(t!.url + route, { headers: { 'x-honeycomb-team': t!.adminKey } });
      return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const count = async () => {
      const now = Math.floor(Date.now() / 1000);
      const res = await fetch(`${t!.url}/api/v1/query/app`, {
        method: 'POST',
        headers: { 'x-honeycomb-team': t!.adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ start_time: now - 3600, end_time: now + 60, calculations: [{ op: 'COUNT' }] }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: { results: { data: { COUNT: number } }[] } }).data.results[0]?.data.COUNT ?? 0;
    };
    const diskAlert = async () => ((await get('/api/v1/alerts?source=tend')).body.alerts as { fingerprint: string; labels: { alertname: string }; state: string }[]).find((a) => a.labels.alertname === 'TendDiskLow');

    const send = sender(t.url, t.ingestKey);
    stopSender = send.stop;
    await until('first events acknowledged', () => send.stats.acked > 0, 10_000);

    // Fill the disk to 20 MB free: under the 24 MB minimum, with room for what is written before
    // the next look (and a checkpoint meanwhile).
    const free = () => {
      const s = fs.statfsSync(mountPoint);
      return s.bavail * s.bsize;
    };
    const filler = path.join(mountPoint, 'filler');
    fs.writeFileSync(filler, Buffer.alloc(free() - 20 * MiB));
    const filledAt = Date.now();
    await until('a 507', () => send.stats.refused > 0, 10_000);
    console.log(`disk-full: first 507 ${send.stats.firstRefusalAt - filledAt} ms after the disk filled; ${send.stats.acked} events acknowledged before`);
    expect(send.stats.lastRefusal).toMatch(/^10 Tend refuses new events: disk full: [\d.]+ MB free for the data folder, under the 24 MB minimum \(--min-free-disk\); writes resume by themselves once space is freed$/);

    // OTLP/HTTP says the same as a google.rpc.Status, as a 503 and code 14 (UNAVAILABLE) that exporters retry.
    const otlp = await fetch(`${t.url}/v1/logs`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey, 'content-type': 'application/json' }, body: '{"resourceLogs": []}' });
    expect(otlp.status).toBe(503);
    expect(otlp.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await otlp.json()).toMatchObject({ code: 14, message: expect.stringMatching(/^Tend refuses new events: disk full: /) });
    expect(await grpcExport(t.tend.grpc!.address, t.ingestKey)).toMatchObject({ code: grpc.status.UNAVAILABLE, details: expect.stringMatching(/^Tend refuses new events: disk full: /) });

    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/^disk full: /);
    // What keeps working: queries, heartbeat pings and the check's state, alerts.
    const before = await count();
    expect(before).toBeGreaterThan(0);
    expect((await fetch(`${t.url}/ping/${UUID}`)).status).toBe(200);
    expect((await get('/api/v1/checks/nightly')).body.state).toBe('up');
    const fired = await until('the disk alert', diskAlert, 10_000);
    expect(fired).toMatchObject({ state: 'firing', labels: { alertname: 'TendDiskLow', source: 'tend', severity: 'critical' } });
    const ack = await fetch(`${t.url}/api/v1/alerts/${fired.fingerprint}/ack`, { method: 'POST', headers: { 'x-honeycomb-team': t.adminKey } });
    expect(ack.status).toBe(200);
    const metrics = await (await fetch(`${t.url}/metrics`, { headers: { 'x-honeycomb-team': t.adminKey } })).text();
    expect(metrics).toMatch(/^tend_disk_writes_refused 1$/m);

    // Space comes back: writes resume by themselves within 10 s.
    fs.rmSync(filler);
    const freedAt = Date.now();
    await until('writes accepted again', () => send.stats.lastAckAt > freedAt, 10_000);
    console.log(`disk-full: writes accepted again ${send.stats.lastAckAt - freedAt} ms after space returned; ${send.stats.refused} batches refused meanwhile`);
    await until('the alert resolved', async () => (await diskAlert())?.state === 'resolved', 10_000);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);

    await send.stop();
    const acked = send.stats.acked;
    expect(await count()).toBe(acked);
    // And durable: the same count after a restart on the same folder.
    await t.close();
    t = await startTestTend({ data: dataDir, config: configFile, minFreeDisk: '24MB' });
    expect(await count()).toBe(acked);
  }, 60_000);
});
