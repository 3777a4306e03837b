// The words every human-facing receiver (Slack, email, ntfy, SMS) uses for a notification.
import type { Notification, NotifiedAlert } from '../routing/notification.js';

export function title(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const name = n.commonLabels.alertname ?? n.groupLabels.alertname ?? n.alerts[0]?.labels.alertname ?? 'alert';
  const tag = n.status === 'firing' ? `FIRING:${firing}` : 'RESOLVED';
  const rest = Object.entries(n.groupLabels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(' ');
  return `[${tag}] ${name}${rest ? ` (${rest})` : ''}`;
}

export const summaryOf = (a: NotifiedAlert): string => a.annotations.summary ?? a.annotations.description ?? a.labels.alertname ?? a.fingerprint;

export const labelText = (a: NotifiedAlert): string => Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ');

export const alertLink = (n: Notification, a: NotifiedAlert): string => `${n.externalURL}/api/v1/alerts/${a.fingerprint}`;

/** Plain text, one paragraph per alert. */
export function plainText(n: Notification): string {
  const lines = [title(n), ''];
  for (const a of n.alerts) {
    lines.push(`${a.status.toUpperCase()}: ${summaryOf(a)}`, `  labels: ${labelText(a)}`, `  since: ${a.startsAt}`, `  alert: ${alertLink(n, a)}`);
    if (a.annotations.runbook_url) lines.push(`  runbook: ${a.annotations.runbook_url}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** A few words for an SMS: the title and the first summary. */
export function shortText(n: Notification): string {
  const first = n.alerts[0];
  return `${title(n)}${first ? `: ${summaryOf(first)}` : ''}`.slice(0, 320);
}
