// POST /api/v1/alerts/receivers/:name/test: sends a test notification through every
// integration of a receiver now (not queued) and answers what each one did.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../http/index.js';
import type { AlertingConfig } from '../config.js';
import { fingerprint } from '../labels.js';
import { buildNotification } from '../routing/notification.js';
import { integrationsOf, send } from './index.js';

export function registerReceiverRoutes(app: FastifyInstance, config: () => AlertingConfig, timeoutMs: number, externalUrl: () => string): void {
  app.post<{ Params: { name: string } }>('/api/v1/alerts/receivers/:name/test', async (request) => {
    const c = config();
    const r = c.receivers.find((x) => x.name === request.params.name);
    if (!r) throw notFound(`no receiver named "${request.params.name}" in tend.yaml's alerting.receivers`);
    const labels = { alertname: 'TendTestNotification', severity: 'info', receiver: r.name };
    const now = Date.now();
    const alert = { envId: '', fingerprint: fingerprint(labels), labels, annotations: { summary: `Test notification from Tend to receiver ${r.name}` }, state: 'firing' as const, source: 'trigger' as const, startsAt: now, updatedAt: now };
    const n = buildNotification(r.name, `test:${r.name}`, { alertname: labels.alertname }, [alert], externalUrl());
    const results = [];
    for (const i of integrationsOf(r)) {
      const started = performance.now();
      try {
        const res = await send(c, i, n, { idempotencyKey: `test-${crypto.randomUUID()}`, timeoutMs });
        results.push({ kind: i.kind, index: i.index, status: 'sent', http_status_code: res.httpStatus, duration_ms: Math.round(performance.now() - started) });
      } catch (err) {
        results.push({ kind: i.kind, index: i.index, status: 'failed', error: (err as Error).message, duration_ms: Math.round(performance.now() - started) });
      }
    }
    return { receiver: r.name, results };
  });
}
