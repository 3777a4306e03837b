// `tend alerts` and `tend triggers` as a user runs them (the built CLI, a real process) against
// a running Tend: list, show, ack, silence add/list/expire, test-receiver, with and without --json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, startReceiver, type AlertsTend, type Receiver } from './support/alerts.js';
import { runTend } from './support/cli.js';

let t: AlertsTend;
let hook: Receiver;
const cli = (...args: string[]) => runTend([...args, '--url', t.url, '--key', t.adminKey]);

beforeAll(async () => {
  hook = await startReceiver();
  t = await startAlertsTend(`
alerting:
  receivers: [{ name: ops, webhook: { url: "${hook.url}/" } }]
  route: { receiver: ops, group_wait: 1h }
triggers:
  - { name: errors, dataset: web, query: { calculations: [{ op: COUNT }] }, threshold: { op: ">", value: 100 }, frequency: 60 }
`);
  await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'DiskFull', severity: 'critical' }, annotations: { summary: 'disk 97%' } }]);
}, 30_000);

afterAll(async () => {
  await t?.close();
  await hook?.close();
});

describe('tend alerts', () => {
  it('lists, shows and acknowledges alerts', async () => {
    const list = await cli('alerts', 'list', '--json');
    expect(list.code).toBe(0);
    const [a] = JSON.parse(list.stdout).alerts;
    expect(a.labels.alertname).toBe('DiskFull');
    const table = await cli('alerts', 'list', '--state', 'firing', '--filter', 'severity="critical"');
    expect(table.stdout).toMatch(/^FINGERPRINT\s+ALERTNAME\s+STATE/);
    expect(table.stdout).toContain(`${a.fingerprint}  DiskFull   firing  alertmanager`);
    const ack = await cli('alerts', 'ack', a.fingerprint);
    expect(ack.stdout.trim()).toMatch(new RegExp(`^acknowledged ${a.fingerprint} as key:`));
    const show = JSON.parse((await cli('alerts', 'show', a.fingerprint, '--json')).stdout);
    expect(show.acknowledged_by).toMatch(/^key:/);
    const bad = await cli('alerts', 'list', '--filter', 'nonsense');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/filter: "nonsense" is not a matcher/);
  });

  it('adds, lists and expires silences', async () => {
    const id = (await cli('alerts', 'silence', 'add', 'alertname="DiskFull"', 'instance=~"db.*"', '--duration', '30', '--comment', 'disk swap')).stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const list = (await cli('alerts', 'silence', 'list')).stdout;
    expect(list).toContain(`${id}  active  alertname="DiskFull" instance=~"db.*"`);
    expect((await cli('alerts', 'silence', 'expire', id)).stdout.trim()).toBe(`expired ${id}`);
    const after = JSON.parse((await cli('alerts', 'silence', 'list', '--json')).stdout);
    expect(after.find((s: { id: string }) => s.id === id).status.state).toBe('expired');
  });

  it('tests a receiver and lists triggers', async () => {
    const res = await cli('alerts', 'test-receiver', 'ops');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^ops webhook: sent \(200\) in \d+ ms/);
    expect(JSON.parse(hook.got.at(-1)!.body).alerts[0].labels.alertname).toBe('TendTestNotification');
    const triggers = await cli('triggers', 'list');
    expect(triggers.stdout).toMatch(/errors\s+web\s+> 100\s+60s\s+ok\s+file/);
  });
});
