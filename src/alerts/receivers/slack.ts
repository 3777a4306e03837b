// Slack (and Mattermost, which takes the same JSON) incoming webhooks: `text` for
// notifications and clients without blocks, and blocks with the state, each alert's summary
// and labels, a link to the alert, and its runbook when it has one.
import type { z } from 'zod';
import type { SlackConfig } from '../config.js';
import type { Notification } from '../routing/notification.js';
import { postJson, type SendContext, type SendResult } from './http.js';
import { alertLink, labelText, summaryOf, title } from './text.js';

export function slackMessage(cfg: z.infer<typeof SlackConfig>, n: Notification) {
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: title(n).slice(0, 150) } }];
  for (const a of n.alerts) {
    const links = [`<${alertLink(n, a)}|Alert>`];
    if (a.annotations.runbook_url) links.push(`<${a.annotations.runbook_url}|Runbook>`);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${a.status === 'firing' ? ':red_circle: Firing' : ':large_green_circle: Resolved'}*: ${summaryOf(a)}\n${labelText(a)}` },
    });
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' | ') }] });
  }
  return { text: title(n), blocks, ...(cfg.channel ? { channel: cfg.channel } : {}), ...(cfg.username ? { username: cfg.username } : {}) };
}

export const sendSlack = (cfg: z.infer<typeof SlackConfig>, n: Notification, ctx: SendContext): Promise<SendResult> => postJson(cfg.url, slackMessage(cfg, n), {}, ctx);
