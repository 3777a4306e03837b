// Webhook: Alertmanager's webhook payload (version 4), signed when a secret is set:
// X-Tend-Timestamp is the unix time of the attempt and X-Tend-Signature is
// `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, so a receiver can refuse forgeries and replays.
import crypto from 'node:crypto';
import type { z } from 'zod';
import type { WebhookConfig } from '../config.js';
import type { Notification } from '../routing/notification.js';
import { post, type SendContext, type SendResult } from './http.js';

export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function sendWebhook(cfg: z.infer<typeof WebhookConfig>, n: Notification, ctx: SendContext): Promise<SendResult> {
  const alerts = cfg.max_alerts > 0 ? n.alerts.slice(0, cfg.max_alerts) : n.alerts;
  const body = JSON.stringify({ ...n, alerts, truncatedAlerts: n.alerts.length - alerts.length });
  const headers: Record<string, string> = { 'content-type': 'application/json', ...cfg.headers };
  if (cfg.secret) {
    const ts = Math.floor(Date.now() / 1000);
    headers['x-tend-timestamp'] = String(ts);
    headers['x-tend-signature'] = signature(cfg.secret, ts, body);
  }
  return post(cfg.url, body, headers, ctx);
}
