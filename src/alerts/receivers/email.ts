// Email through SMTP (nodemailer): one message per group, with plain text and HTML parts.
// Host, port, TLS or STARTTLS, user and password come from the receiver or alerting.smtp.
import fs from 'node:fs';
import nodemailer from 'nodemailer';
import type { z } from 'zod';
import type { EmailConfig, SmtpDefaults } from '../config.js';
import type { Notification } from '../routing/notification.js';
import { DeliveryError, type SendContext, type SendResult } from './http.js';
import { alertLink, labelText, plainText, summaryOf, title } from './text.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function emailHtml(n: Notification): string {
  const items = n.alerts.map((a) => {
    const runbook = a.annotations.runbook_url ? ` <a href="${esc(a.annotations.runbook_url)}">Runbook</a>` : '';
    return `<li><strong>${a.status === 'firing' ? 'Firing' : 'Resolved'}</strong>: ${esc(summaryOf(a))}<br><code>${esc(labelText(a))}</code><br>since ${esc(a.startsAt)} <a href="${esc(alertLink(n, a))}">Alert</a>${runbook}</li>`;
  });
  return `<!doctype html><html><body><h2>${esc(title(n))}</h2><ul>${items.join('')}</ul></body></html>`;
}

export async function sendEmail(cfg: z.infer<typeof EmailConfig>, smtp: z.infer<typeof SmtpDefaults>, n: Notification, ctx: SendContext): Promise<SendResult> {
  const host = cfg.host ?? smtp.host;
  const from = cfg.from ?? smtp.from;
  if (!host || !from) throw new DeliveryError('email: no SMTP host or from address (set them on the receiver or in alerting.smtp)', true);
  const tls = cfg.tls ?? smtp.tls ?? false;
  const user = cfg.user ?? smtp.user;
  const caFile = cfg.ca_file ?? smtp.ca_file;
  let ca: Buffer | undefined;
  try {
    ca = caFile ? fs.readFileSync(caFile) : undefined;
  } catch (err) {
    throw new DeliveryError(`email: cannot read ca_file ${caFile}: ${(err as Error).message}`, true);
  }
  const transport = nodemailer.createTransport({
    host,
    port: cfg.port ?? smtp.port ?? (tls ? 465 : 587),
    secure: tls,
    requireTLS: cfg.starttls ?? smtp.starttls ?? false,
    // The server's certificate is always verified; ca_file only adds who may sign it.
    tls: ca ? { ca } : undefined,
    auth: user ? { user, pass: cfg.password ?? smtp.password ?? '' } : undefined,
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
  });
  try {
    await transport.sendMail({ from, to: cfg.to, subject: title(n), text: plainText(n), html: emailHtml(n), messageId: `<${ctx.idempotencyKey}@tend>`, headers: { 'Idempotency-Key': ctx.idempotencyKey } });
    return {};
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    // SMTP 5xx refuses the message for good; 4xx and connection failures are worth retrying.
    throw new DeliveryError(`email: ${(err as Error).message}`, code !== undefined && code >= 500, code);
  } finally {
    transport.close();
  }
}
