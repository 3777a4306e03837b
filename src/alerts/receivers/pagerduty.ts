// PagerDuty Events API v2: one event per alert, dedup_key = the alert's fingerprint, so
// PagerDuty opens one incident per alert and a resolve closes it.
import type { z } from 'zod';
import type { PagerDutyConfig } from '../config.js';
import type { Notification, NotifiedAlert } from '../routing/notification.js';
import { postJson, type SendContext, type SendResult } from './http.js';
import { alertLink, summaryOf } from './text.js';

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

export function pagerDutyEvent(cfg: z.infer<typeof PagerDutyConfig>, n: Notification, a: NotifiedAlert) {
  const sev = (a.labels.severity ?? '').toLowerCase();
  return {
    routing_key: cfg.routing_key,
    event_action: a.status === 'resolved' ? 'resolve' : a.acknowledgedBy ? 'acknowledge' : 'trigger',
    dedup_key: a.fingerprint,
    payload: {
      summary: summaryOf(a).slice(0, 1024),
      severity: SEVERITIES.has(sev) ? sev : sev === 'page' ? 'critical' : 'error',
      source: cfg.source ?? a.labels.instance ?? a.labels.service ?? 'tend',
      timestamp: a.startsAt,
      custom_details: { labels: a.labels, annotations: a.annotations },
    },
    links: [{ href: alertLink(n, a), text: 'Alert in Tend' }, ...(a.annotations.runbook_url ? [{ href: a.annotations.runbook_url, text: 'Runbook' }] : [])],
    client: 'Tend',
    client_url: n.externalURL,
  };
}

export async function sendPagerDuty(cfg: z.infer<typeof PagerDutyConfig>, n: Notification, ctx: SendContext): Promise<SendResult> {
  let last: SendResult = {};
  for (const a of n.alerts) last = await postJson(cfg.url, pagerDutyEvent(cfg, n, a), {}, { ...ctx, idempotencyKey: `${ctx.idempotencyKey}:${a.fingerprint}` });
  return last;
}
