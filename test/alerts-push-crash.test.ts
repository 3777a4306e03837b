// What a 200 to an alert push or an acknowledgement promises: the change is stored before the
// answer, so `kill -9` right after it loses nothing (docs/alerts.md, "Prometheus and amtool").
// Alert rows are otherwise saved behind, in batches; a state change waits for its batch.
import { describe, expect, it } from 'vitest';
import { api } from './support/alerts.js';
import { spawnTend, tempDataDir } from './support/tend.js';

describe('alert pushes across a crash', () => {
  it('keeps alerts that fired and an acknowledgement answered just before kill -9', async () => {
    const dataDir = tempDataDir('alerts-push-crash');
    let tend = await spawnTend(dataDir);
    try {
      const pushed = Array.from({ length: 50 }, (_, i) => ({ labels: { alertname: 'Crash', instance: `host-${i}` }, annotations: { summary: `host ${i}` }, startsAt: '2026-01-02T03:04:05.000Z' }));
      expect((await api(tend, tend.ingestKey, 'POST', '/api/v2/alerts', pushed)).status).toBe(200);
      const fp = (await api(tend, tend.adminKey, 'GET', '/api/v1/alerts?state=firing')).body.alerts.find((a: { labels: { instance: string } }) => a.labels.instance === 'host-7').fingerprint;
      expect((await api(tend, tend.adminKey, 'POST', `/api/v1/alerts/${fp}/ack`)).status).toBe(200);
      tend.child.kill('SIGKILL');
      await tend.exited;

      tend = await spawnTend(dataDir);
      const after = (await api(tend, tend.adminKey, 'GET', '/api/v2/alerts')).body as { labels: { instance: string }; annotations: { summary: string }; startsAt: string }[];
      expect(after.map((a) => a.labels.instance).sort()).toEqual(pushed.map((a) => a.labels.instance).sort());
      expect(after.find((a) => a.labels.instance === 'host-3')).toMatchObject({ annotations: { summary: 'host 3' }, startsAt: '2026-01-02T03:04:05.000Z' });
      const acked = (await api(tend, tend.adminKey, 'GET', `/api/v1/alerts/${fp}`)).body;
      expect(acked).toMatchObject({ labels: { instance: 'host-7' }, acknowledged_by: expect.any(String) });
    } finally {
      await tend.stop('SIGKILL');
    }
  }, 60_000);
});
