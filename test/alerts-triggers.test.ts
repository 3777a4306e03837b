// Trigger semantics through the whole path: on_true notifies at every evaluation while it
// holds, on_change only when it changes; no_data ok / firing / keep; a calculation over a
// calculated field; and one query for triggers asking the same question.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, startReceiver, type AlertsTend, type Receiver } from './support/alerts.js';

let t: AlertsTend;
let hook: Receiver;

beforeAll(async () => {
  hook = await startReceiver();
  t = await startAlertsTend(`
alerting:
  resolve_timeout: 1s
  receivers: [{ name: hook, webhook: { url: "${hook.url}/" } }]
  route: { receiver: hook, group_by: [alertname], group_wait: 0s, group_interval: 1ms }
`);
  const now = Date.now();
  const events = Array.from({ length: 20 }, (_, i) => ({ time: new Date(now - i * 1000).toISOString(), data: { status: i < 5 ? 500 : 200, duration_ms: 100 + i } }));
  expect((await api(t, t.adminKey, 'POST', '/1/batch/web', events)).status).toBe(200);
}, 30_000);

afterAll(async () => {
  await t?.close();
  await hook?.close();
});

const make = async (body: Record<string, unknown>) => (await api(t, t.adminKey, 'POST', '/1/triggers/web', { frequency: 60, ...body })).body;
const firing = async (name: string) => (await api(t, t.adminKey, 'GET', `/api/v1/alerts?state=firing&filter=${encodeURIComponent(`alertname="${name}"`)}`)).body.alerts;
const told = (name: string) => hook.got.filter((r) => JSON.parse(r.body).alerts.some((a: { labels: { alertname: string } }) => a.labels.alertname === name)).length;
const settle = () => new Promise((r) => setTimeout(r, 400));

describe('pushed alerts', () => {
  it('resolve when not refreshed within resolve_timeout (trigger alerts do not expire)', async () => {
    await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'Stale' } }]);
    expect(await firing('Stale')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1700));
    expect(await firing('Stale')).toHaveLength(0);
    const [a] = (await api(t, t.adminKey, 'GET', '/api/v1/alerts?filter=alertname%3D%22Stale%22')).body.alerts;
    expect(a.state).toBe('resolved');
    expect(Date.parse(a.ends_at) - Date.parse(a.starts_at)).toBeGreaterThanOrEqual(1000);
  });
});

describe('triggers', () => {
  it('on_true notifies at every evaluation while true; on_change once', async () => {
    const query = { calculations: [{ op: 'COUNT' }], filters: [{ column: 'status', op: '>=', value: 500 }], time_range: 600 };
    const onTrue = await make({ name: 'errors-on-true', query, threshold: { op: '>=', value: 5 }, alert_type: 'on_true' });
    const onChange = await make({ name: 'errors-on-change', query, threshold: { op: '>=', value: 5 } });
    const envId = (await t.tend.auth.environments())[0].id;
    const runs = await t.tend.alerts.triggers.evaluateNow([t.tend.alerts.triggers.get(envId, onTrue.id)!, t.tend.alerts.triggers.get(envId, onChange.id)!]);
    // Same dataset, window and filters: one query answered both.
    expect(new Set(runs.map((r) => r.durationMs)).size).toBe(1);
    await settle();
    for (let i = 0; i < 2; i++) {
      await t.tend.alerts.triggers.evaluateNow();
      await settle();
    }
    expect(await firing('errors-on-true')).toHaveLength(1);
    // Three evaluations here (the scheduler may add one of its own): one notification each.
    expect(told('errors-on-true')).toBeGreaterThanOrEqual(3);
    expect(told('errors-on-change')).toBe(1);
    await api(t, t.adminKey, 'DELETE', `/1/triggers/web/${onTrue.id}`);
    await api(t, t.adminKey, 'DELETE', `/1/triggers/web/${onChange.id}`);
    await settle();
    expect(await firing('errors-on-true')).toHaveLength(0);
  });

  it('treats no data as ok, firing or keep, as the trigger says', async () => {
    const query = { calculations: [{ op: 'AVG', column: 'duration_ms' }], filters: [{ column: 'status', op: '=', value: 404 }], time_range: 600 };
    for (const no_data of ['ok', 'firing', 'keep']) await make({ name: `nodata-${no_data}`, query, threshold: { op: '>', value: 1 }, no_data });
    await t.tend.alerts.triggers.evaluateNow();
    expect(await firing('nodata-ok')).toHaveLength(0);
    expect(await firing('nodata-keep')).toHaveLength(0);
    const [f] = await firing('nodata-firing');
    expect(f.value).toBeNull();
  });

  it('calculates over a calculated field', async () => {
    await make({
      name: 'slow-share',
      query: { calculations: [{ op: 'AVG', column: 'is_slow' }], calculated_fields: [{ name: 'is_slow', expression: 'IF(GT($duration_ms, 110), 1, 0)' }], time_range: 600 },
      threshold: { op: '>', value: 0.4 },
      annotations: { summary: 'slow share {{ $value }}' },
    });
    await t.tend.alerts.triggers.evaluateNow();
    const [a] = await firing('slow-share');
    expect(a.value).toBeCloseTo(0.45, 5); // 9 of 20 events over 110 ms
    expect(a.annotations.summary).toBe('slow share 0.45');
  });
});
