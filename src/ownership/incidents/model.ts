// An incident: a service, a severity, a state (triggered -> acknowledged -> mitigated ->
// resolved), the alerts that joined it, and a timeline that fills itself.
import type { Severity } from '../config.js';

export const INCIDENT_STATES = ['triggered', 'acknowledged', 'mitigated', 'resolved'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface Incident {
  id: string;
  envId: string;
  service: string;
  severity: Severity;
  state: IncidentState;
  title: string;
  /** Alerts of one service and alert group join one open incident. */
  groupKey: string;
  fingerprints: string[];
  /** The name of the alert that opened it (its runbook section is linked). */
  alertName?: string;
  openedAt: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  mitigatedAt?: number;
  resolvedAt?: number;
  postmortem?: string;
  updatedAt: number;
}

export interface TimelineEntry {
  at: number;
  kind: string;
  author: string;
  text: string;
}

/** The incident severity of an alert's `severity` label (the service's map first). */
export function severityOf(label: string | undefined, map: Record<string, Severity> = {}): Severity {
  const l = (label ?? '').toLowerCase();
  if (map[l]) return map[l];
  if (l === 'critical') return 'SEV1';
  if (l === 'error' || l === 'high') return 'SEV2';
  if (l === 'warning') return 'SEV3';
  return 'SEV4';
}

/** SEV1 is the most severe: `atLeast(SEV2, SEV1)` holds. */
export const atLeast = (sev: Severity, min: Severity) => Number(sev.slice(3)) <= Number(min.slice(3));

/** The postmortem a resolved incident starts with: Markdown with the sections to fill in. */
export function postmortemTemplate(i: Incident, timeline: TimelineEntry[]): string {
  const at = (ms: number) => new Date(ms).toISOString();
  return [
    `# Postmortem: ${i.title}`,
    '',
    `Service ${i.service}, ${i.severity}, opened ${at(i.openedAt)}${i.resolvedAt ? `, resolved ${at(i.resolvedAt)}` : ''}.`,
    '',
    '## Summary', '', '', '## Impact', '', '',
    '## Timeline', '',
    ...timeline.map((e) => `- ${at(e.at)} ${e.kind} (${e.author}): ${e.text}`),
    '',
    '## Causes', '', '',
    '## Action items', '',
    '| action | owner | due |', '| --- | --- | --- |', '|  |  |  |', '',
  ].join('\n');
}
