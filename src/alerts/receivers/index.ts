// The receiver kinds: each renders Alertmanager's notification in its service's format and
// sends it once. Retries, backoff and idempotency are the delivery queue's business.
import type { AlertingConfig, Receiver, ReceiverKind } from '../config.js';
import type { Notification } from '../routing/notification.js';
import { sendEmail } from './email.js';
import { DeliveryError, type SendContext, type SendResult } from './http.js';
import { sendNtfy } from './ntfy.js';
import { sendPagerDuty } from './pagerduty.js';
import { sendSlack } from './slack.js';
import { sendSms } from './sms.js';
import { sendWebhook } from './webhook.js';

export { DeliveryError, type SendContext, type SendResult } from './http.js';
export { signature } from './webhook.js';

/** One integration of a receiver: its kind and the index among that kind's entries. */
export interface Integration {
  receiver: string;
  kind: ReceiverKind;
  index: number;
}

export function integrationsOf(r: Receiver): Integration[] {
  const out: Integration[] = [];
  for (const kind of ['webhook', 'slack', 'email', 'pagerduty', 'ntfy', 'sms'] as const) (r[kind] ?? []).forEach((_, index) => out.push({ receiver: r.name, kind, index }));
  return out;
}

/** Whether this integration wants resolved notifications (Alertmanager's send_resolved). */
export function sendsResolved(r: Receiver, i: Integration): boolean {
  return r[i.kind]?.[i.index]?.send_resolved ?? true;
}

export async function send(config: AlertingConfig, i: Integration, n: Notification, ctx: SendContext): Promise<SendResult> {
  const r = config.receivers.find((x) => x.name === i.receiver);
  if (!r) throw new DeliveryError(`receiver "${i.receiver}" is no longer configured`, true);
  switch (i.kind) {
    case 'webhook':
      return sendWebhook(r.webhook![i.index], n, ctx);
    case 'slack':
      return sendSlack(r.slack![i.index], n, ctx);
    case 'email':
      return sendEmail(r.email![i.index], config.smtp, n, ctx);
    case 'pagerduty':
      return sendPagerDuty(r.pagerduty![i.index], n, ctx);
    case 'ntfy':
      return sendNtfy(r.ntfy![i.index], n, ctx);
    case 'sms':
      return sendSms(r.sms![i.index], n, ctx);
  }
}
