// What a page says: Alertmanager's webhook payload (version 4, as every Tend receiver renders
// it), one alert per person paged, with the incident, service, severity and person as labels
// and the acknowledge and resolve links and the runbook as annotations.
import type { Severity } from '../config.js';

/** Go's zero time: what Alertmanager sends as endsAt of a firing alert. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface Page {
  receiver: string;
  /** Absent for notices that are not pages (a handoff status change). */
  incidentId?: string;
  service: string;
  severity: Severity;
  title: string;
  openedAt: number;
  /** The person paged, or the team whose receiver is used. */
  person?: string;
  team?: string;
  externalUrl: string;
  ackUrl?: string;
  resolveUrl?: string;
  runbookUrl?: string;
  /** Distinguishes the pages of one incident (round, step, person). */
  key: string;
  status?: 'firing' | 'resolved';
  summary?: string;
  alertname?: string;
}

export function pageNotification(p: Page) {
  const labels: Record<string, string> = {
    alertname: p.alertname ?? 'incident', ...(p.incidentId ? { incident: p.incidentId } : {}), service: p.service, severity: p.severity,
    ...(p.person ? { oncall: p.person } : {}), ...(p.team ? { team: p.team } : {}),
  };
  const annotations: Record<string, string> = {
    summary: p.summary ?? `${p.severity} ${p.service}: ${p.title}`,
    ...(p.ackUrl ? { acknowledge_url: p.ackUrl } : {}),
    ...(p.resolveUrl ? { resolve_url: p.resolveUrl } : {}),
    ...(p.runbookUrl ? { runbook_url: p.runbookUrl } : {}),
  };
  const status = p.status ?? 'firing';
  const subject = p.incidentId ? `incident:${p.incidentId}` : `service:${p.service}`;
  return {
    version: '4' as const,
    groupKey: `${subject}:${p.key}`,
    truncatedAlerts: 0,
    status,
    receiver: p.receiver,
    groupLabels: (p.incidentId ? { incident: p.incidentId } : { service: p.service }) as Record<string, string>,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: p.externalUrl,
    alerts: [{
      status, labels, annotations, startsAt: new Date(p.openedAt).toISOString(), endsAt: ZERO_TIME,
      generatorURL: p.incidentId ? `${p.externalUrl}/api/v1/incidents/${p.incidentId}` : `${p.externalUrl}/api/v1/services/${p.service}`,
      fingerprint: `${subject}-${p.key}`,
    }],
  };
}
export type PageNotification = ReturnType<typeof pageNotification>;
