// SMS through a Twilio-compatible Messages API: a form POST per recipient to
// /2010-04-01/Accounts/{AccountSid}/Messages.json with To, From and Body, basic auth SID:token.
import type { z } from 'zod';
import type { SmsConfig } from '../config.js';
import type { Notification } from '../routing/notification.js';
import { post, type SendContext, type SendResult } from './http.js';
import { shortText } from './text.js';

export async function sendSms(cfg: z.infer<typeof SmsConfig>, n: Notification, ctx: SendContext): Promise<SendResult> {
  const url = `${cfg.base_url.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(cfg.account_sid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${cfg.account_sid}:${cfg.auth_token}`).toString('base64')}`;
  let last: SendResult = {};
  for (const to of cfg.to) {
    const body = new URLSearchParams({ To: to, From: cfg.from, Body: shortText(n) }).toString();
    last = await post(url, body, { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, { ...ctx, idempotencyKey: `${ctx.idempotencyKey}:${to}` });
  }
  return last;
}
