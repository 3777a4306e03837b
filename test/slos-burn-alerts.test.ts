// Burn alerts (issue 12 item 3) on a clock the test moves minute by minute: a service runs at
// 1,000 requests a minute (weighted events) for a day, then 20% of them fail. Each kind fires
// at the minute its arithmetic says, reaches the webhook receiver through the alerts routing
// with its labels, and resolves once the service is healthy again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertsTend, startReceiver, type AlertsTend, type Receiver } from './support/alerts.js';

let t: AlertsTend;
let hook: Receiver;
const MIN = 60_000;
// Whole minutes, in the past: alerts end at the test's clock, which must not be after the real now.
const B = Math.floor((Date.now() - 3 * 86_400_000) / MIN) * MIN;

const yaml = (url: string) => `
environment: production
# The test moves its own clock; the scheduler's rounds (on the real one) stay out of the way.
slo_interval: 1d
alerting:
  receivers:
    - name: oncall
      webhook: { url: "${url}/hook" }
  route:
    receiver: oncall
    group_by: [alertname, burn_alert, window]
    group_wait: 0s
    group_interval: 100ms
    repeat_interval: 1h
slos:
  - name: api-availability
    dataset: api
    sli: 'LT($status, 500)'
    target: 99
    period_days: 1
    labels: { service: api }
    burn_alerts:
      - { kind: burn_rate, preset: sre }
      - { kind: exhaustion_time, minutes: 240, lookback_minutes: 60 }
      - { kind: budget_rate, window_minutes: 60, decrease_per_million: 100000, severity: ticket }
`;

/** Pushes each minute's requests through the write path (weighted: one event for the good, one for the bad). */
async function send(minutes: number[], bad: number): Promise<void> {
  const env = (await t.tend.auth.environment('production'))!;
  const events = minutes.flatMap((m) => [
    { time: (B + m * MIN + 1000) * 1000, samplerate: 1000 - bad, fields: { status: 200 } },
    ...(bad ? [{ time: (B + m * MIN + 2000) * 1000, samplerate: bad, fields: { status: 503 } }] : []),
  ]);
  await t.tend.ingest.pipeline.submit(env, 'api', events);
}

/** Firing burn alerts after evaluating at minute m (30 s into it), as `kind/window`. */
async function firingAt(m: number): Promise<string[]> {
  await t.tend.slos.service.evaluateNow(undefined, B + m * MIN + 30_000);
  const env = (await t.tend.auth.environment('production'))!;
  return t.tend.alerts.service.list(env.id, { source: 'slo', state: 'firing' })
    .map((a) => `${a.labels.burn_alert}/${a.labels.window}`).sort();
}

beforeAll(async () => {
  hook = await startReceiver();
  t = await startAlertsTend(yaml(hook.url));
}, 30_000);

afterAll(async () => {
  await t?.close();
  await hook?.close();
});

describe('burn alerts', () => {
  it('fire at the minute their rule says, through the routing, and resolve after', async () => {
    // A healthy day: minutes -1440..-1.
    await send(Array.from({ length: 1440 }, (_, i) => i - 1440), 0);
    expect(await firingAt(-1)).toEqual([]);

    // 20% failing from minute 0: burn rate 20x in every window the incident fills.
    // Evaluated on each side of every minute an alert's arithmetic crosses its threshold.
    const at = new Map<number, string[]>();
    for (let k = 1; k <= 90; k++) {
      await send([k - 1], 200);
      if ([7, 8, 14, 15, 43, 44, 75, 76, 90].includes(k)) at.set(k, await firingAt(k - 1));
    }
    const fires = (alert: string, k: number) => {
      expect(at.get(k - 1), `${alert} before minute ${k}`).not.toContain(alert);
      expect(at.get(k), `${alert} at minute ${k}`).toContain(alert);
    };
    // budget_rate: 200k bad of a 14,400 budget passes 10% at k = 8.
    fires('budget_rate/60m', 8);
    // exhaustion_time: 60 * (14400 - 200k) / (200k) <= 240 minutes from k = 15.
    fires('exhaustion_time/60m', 15);
    // 14.4x over 1 h (k/3) and 5 m (20x): k = 44.
    fires('burn_rate/1h', 44);
    // 1x over 3 d (20k / (1440 + k)) and 6 h (k/18): k = 76.
    fires('burn_rate/3d', 76);
    // 6x over 6 h (k/18) and 30 m: not before k = 109.
    expect(at.get(90)).not.toContain('burn_rate/6h');
    expect(at.get(90)).toEqual(['budget_rate/60m', 'burn_rate/1h', 'burn_rate/3d', 'exhaustion_time/60m']);

    const alerts = t.tend.alerts.service.list((await t.tend.auth.environment('production'))!.id, { source: 'slo' });
    const page = alerts.find((a) => a.labels.window === '1h')!;
    expect(page.labels).toEqual({ alertname: 'api-availability', slo: 'api-availability', dataset: 'api', burn_alert: 'burn_rate', window: '1h', severity: 'page', service: 'api' });
    expect(page.annotations.summary).toMatch(/api-availability burns its error budget/);

    // The webhook receiver got the page through the route tree.
    const got = await hook.waitFor(1);
    const firing = got.map((r) => JSON.parse(r.body)).flatMap((b) => b.alerts).filter((a: { status: string; labels: Record<string, string> }) => a.status === 'firing');
    expect(firing.map((a: { labels: Record<string, string> }) => `${a.labels.burn_alert}/${a.labels.window}`)).toContain('burn_rate/1h');

    // Healthy again from minute 90: the 5 m window holds 4(5 - j)x, under 14.4x from j = 2.
    await send([90], 0);
    expect(await firingAt(90)).toContain('burn_rate/1h');
    await send([91], 0);
    expect(await firingAt(91)).not.toContain('burn_rate/1h');
    const resolved = t.tend.alerts.service.list(page.envId, { source: 'slo', state: 'resolved' }).map((a) => `${a.labels.burn_alert}/${a.labels.window}`);
    expect(resolved).toContain('burn_rate/1h');
    const seen = await hook.waitFor(hook.got.length + 1).catch(() => hook.got);
    const resolvedSent = seen.map((r) => JSON.parse(r.body)).flatMap((b) => b.alerts).filter((a: { status: string; labels: Record<string, string> }) => a.status === 'resolved');
    expect(resolvedSent.map((a: { labels: Record<string, string> }) => a.labels.window)).toContain('1h');

    // budget_rate resolves once the 60 minutes up to minute M hold no more than 7 bad ones
    // (149 - M of them; 200 x 7.2 is 10% of the budget): at M = 142. exhaustion_time keeps
    // firing: 90 bad minutes spent the whole day's budget, until they leave the period.
    await send(Array.from({ length: 50 }, (_, j) => 92 + j), 0);
    expect(await firingAt(141)).toContain('budget_rate/60m');
    await send([142], 0);
    const later = await firingAt(142);
    expect(later).not.toContain('budget_rate/60m');
    expect(later).toContain('exhaustion_time/60m');
  }, 120_000);
});
