// Issue 16 items 2, 3 and 6: the disaster-recovery drill of docs/operations.md, step by step,
// with the built `tend` command against `tend serve` processes and a real S3-compatible server
// (s3rver, from npm) as DEST: back up while serving, verify, destroy the data folder, restore
// into a new folder, serve it, and get the same answers. Then a damaged backup: verify exits 1
// naming the file, and restore refuses it.
import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackup, openDestination } from '../src/backups/index.js';
import { runTend } from './support/cli.js';
import { cliPath, spawnTend, tempDataDir, type ChildTend } from './support/tend.js';

const BUCKET = 'tend-backups';
const DEST = `s3://${BUCKET}/nightly`;
const DAY_S = 86_400;
const now = Math.floor(Date.now() / 1000);

let s3: S3rver;
let aws: NodeJS.ProcessEnv;
let server: ChildTend | undefined;
beforeAll(async () => {
  if (!fs.existsSync(cliPath)) throw new Error('run `npm run build` first');
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: tempDataDir('tend-s3rver'), configureBuckets: [{ name: BUCKET, configs: [] }] });
  const { port } = await s3.run();
  // s3rver accepts any signature made with its fixed credentials.
  aws = { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await s3?.close();
});

const call = async (url: string, key: string, method: string, route: string, body?: unknown) => {
  const res = await fetch(`${url}${route}`, { method, headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status, `${method} ${route}`).toBeLessThan(300);
  return res.json();
};

/** The answers compared before and after: counts per day and route, sums, columns, markers, checks. */
async function answers(t: ChildTend): Promise<unknown> {
  const q = (dataset: string) =>
    call(t.url, t.adminKey, 'POST', `/api/v1/query/${dataset}`, { start_time: now - 4 * DAY_S, end_time: now + 60, granularity: DAY_S, breakdowns: ['route'], calculations: [{ op: 'COUNT' }, { op: 'SUM', column: 'ms' }, { op: 'P99', column: 'ms' }] });
  const strip = (r: { results: unknown; series?: unknown }) => ({ results: r.results, series: r.series });
  return {
    web: strip((await q('web')) as never),
    jobs: strip((await q('jobs')) as never),
    columns: await call(t.url, t.adminKey, 'GET', '/1/columns/web'),
    markers: await call(t.url, t.adminKey, 'GET', '/1/markers/web'),
    checks: ((await call(t.url, t.adminKey, 'GET', '/api/v1/checks')) as { checks?: { name: string }[] }).checks?.map((c) => c.name) ?? [],
  };
}

describe('disaster-recovery drill (docs/operations.md)', () => {
  it('backs up to S3 while serving, restores on a fresh folder after the old one is gone, and answers the same', { timeout: 120_000 }, async () => {
    const oldData = tempDataDir('tend-dr-old');
    server = await spawnTend(oldData, 0, aws);
    const { ingestKey, adminKey } = server;
    for (let d = 3; d >= 0; d--) {
      const events = Array.from({ length: 500 }, (_, i) => ({ time: new Date((now - d * DAY_S - 3600 + i) * 1000).toISOString(), data: { route: `/r${i % 5}`, ms: (i * 37) % 1000, customer: `c${i % 50}` } }));
      await call(server.url, ingestKey, 'POST', '/1/batch/web', events);
      await call(server.url, ingestKey, 'POST', '/1/batch/jobs', events.slice(0, 100).map((e) => ({ ...e, data: { route: 'cron', ms: 1 } })));
    }
    await call(server.url, ingestKey, 'POST', '/1/markers/web', { message: 'deploy 42', type: 'deploy', start_time: now - DAY_S });
    await call(server.url, adminKey, 'POST', '/api/v1/checks', { name: 'nightly-job', kind: 'heartbeat', period: '1d' });
    const before = await answers(server);

    // Step 1: back up while the server runs (the CLI finds it through the data folder).
    const backup = await runTend(['backup', DEST, '--data', oldData, '--json'], { env: aws });
    expect(backup.code, backup.stderr).toBe(0);
    const taken = JSON.parse(backup.stdout) as { status: string; rows: number };
    expect(taken.status).toBe('done');
    // web and jobs, plus Tend's own events (the audit log, the check's state).
    expect(taken.rows).toBeGreaterThanOrEqual(2400);
    // Step 2: verify it.
    const verify = await runTend(['backup', 'verify', DEST], { env: aws });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/is good/);

    // Step 3: the machine is lost.
    await server.stop();
    server = undefined;
    fs.rmSync(oldData, { recursive: true, force: true });

    // Step 4: restore on a fresh folder, put the keys back, serve, compare.
    const newData = path.join(tempDataDir('tend-dr-new'), 'data');
    const restore = await runTend(['restore', DEST, '--data', newData], { env: aws });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/^restored backup \S+ .*into /);
    fs.writeFileSync(path.join(newData, 'keys.json'), JSON.stringify({ ingest_key: ingestKey, admin_key: adminKey }));
    server = await spawnTend(newData, 0, aws);
    expect(await answers(server)).toEqual(before);
    await server.stop();
    server = undefined;
  });

  it('names a damaged file: verify exits 1, restore refuses', { timeout: 60_000 }, async () => {
    const dest = openDestination(DEST, aws);
    const manifest = await chooseBackup(dest);
    await dest.close();
    const lost = manifest.files.find((f) => f.kind === 'events')!.path;
    const client = new S3Client({ endpoint: aws.AWS_ENDPOINT_URL, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `nightly/${lost}` }));
    client.destroy();

    const verify = await runTend(['backup', 'verify', DEST], { env: aws });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`  ${lost}: missing`);
    const restore = await runTend(['restore', DEST, '--data', path.join(tempDataDir('tend-dr-bad'), 'data')], { env: aws });
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain(`${lost}: missing`);
  });
});
