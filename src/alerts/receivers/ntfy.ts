// ntfy: JSON published to the server's root URL (topic, title, message, priority 1-5, tags),
// priority and tags taken from the alert's severity.
import type { z } from 'zod';
import type { NtfyConfig } from '../config.js';
import type { Notification } from '../routing/notification.js';
import { postJson, type SendContext, type SendResult } from './http.js';
import { plainText, title } from './text.js';

const PRIORITY: Record<string, number> = { critical: 5, page: 5, error: 4, warning: 4, info: 3 };

export function ntfyMessage(cfg: z.infer<typeof NtfyConfig>, n: Notification) {
  const sev = (n.commonLabels.severity ?? n.alerts[0]?.labels.severity ?? '').toLowerCase();
  const resolved = n.status === 'resolved';
  return {
    topic: cfg.topic,
    title: title(n),
    message: plainText(n).slice(0, 4000),
    priority: resolved ? 3 : (PRIORITY[sev] ?? 3),
    tags: resolved ? ['white_check_mark'] : [sev === 'critical' || sev === 'page' ? 'rotating_light' : 'warning', ...(sev ? [sev] : [])],
  };
}

export const sendNtfy = (cfg: z.infer<typeof NtfyConfig>, n: Notification, ctx: SendContext): Promise<SendResult> =>
  postJson(cfg.server.replace(/\/$/, '') + '/', ntfyMessage(cfg, n), cfg.token ? { authorization: `Bearer ${cfg.token}` } : {}, ctx);
