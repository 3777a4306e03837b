// Debian's amtool (prometheus-alertmanager 0.25) against Tend, unchanged but for the URL and
// a bearer key: alert query, silence add, query and expire.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, type AlertsTend } from './support/alerts.js';

const run = promisify(execFile);
let t: AlertsTend;
let httpConfig: string;

const amtool = async (...args: string[]) => (await run('amtool', [`--alertmanager.url=${t.url}`, `--http.config.file=${httpConfig}`, ...args])).stdout;

beforeAll(async () => {
  t = await startAlertsTend('alerting:\n  receivers: [{ name: ops, webhook: { url: "http://127.0.0.1:9/" } }]\n  route: { receiver: ops, group_wait: 1h }\n');
  httpConfig = path.join(t.dataDir, 'amtool-http.yml');
  fs.writeFileSync(httpConfig, `authorization:\n  type: Bearer\n  credentials: ${t.adminKey}\n`);
}, 30_000);

afterAll(() => t?.close());

describe('amtool against Tend', () => {
  it('queries alerts and adds, queries and expires silences', async () => {
    await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'DiskFull', instance: 'db1', severity: 'critical' }, annotations: { summary: 'disk' } }]);
    const alerts = await amtool('alert', 'query', '-o', 'json');
    expect(JSON.parse(alerts).map((a: { labels: Record<string, string> }) => a.labels)).toEqual([{ alertname: 'DiskFull', instance: 'db1', severity: 'critical' }]);

    const id = (await amtool('silence', 'add', 'alertname=DiskFull', 'instance=~"db.*"', '--comment=replacing disk', '--duration=2h')).trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const silences = JSON.parse(await amtool('silence', 'query', '-o', 'json'));
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({ id, comment: 'replacing disk', status: { state: 'active' } });
    expect(silences[0].createdBy).toMatch(/^key:/);
    expect(silences[0].matchers).toEqual(expect.arrayContaining([{ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }, { name: 'instance', value: 'db.*', isRegex: true, isEqual: true }]));
    // The silenced alert is still there, marked suppressed.
    const muted = JSON.parse(await amtool('alert', 'query', '-o', 'json', '--silenced'));
    expect(muted[0].status).toMatchObject({ state: 'suppressed', silencedBy: [id] });

    await amtool('silence', 'expire', id);
    expect(JSON.parse(await amtool('silence', 'query', '-o', 'json'))).toEqual([]);
    const expired = JSON.parse(await amtool('silence', 'query', '-o', 'json', '--expired'));
    expect(expired[0]).toMatchObject({ id, status: { state: 'expired' } });
  });
});
