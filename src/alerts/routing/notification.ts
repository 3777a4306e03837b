// What one notification says: Alertmanager's webhook payload (version 4), the common shape every
// receiver kind renders from, so existing Alertmanager webhook consumers work unchanged.
import type { Labels } from '../labels.js';
import type { Alert } from '../model.js';

export interface NotifiedAlert {
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
  /** Tend's addition: who acknowledged it (PagerDuty is told with event_action acknowledge). */
  acknowledgedBy?: string;
}

export interface Notification {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  alerts: NotifiedAlert[];
}

/** Go's zero time: what Alertmanager sends as endsAt of a firing alert. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function common(sets: Labels[]): Labels {
  if (!sets.length) return {};
  const out: Labels = { ...sets[0] };
  for (const s of sets.slice(1)) for (const k of Object.keys(out)) if (s[k] !== out[k]) delete out[k];
  return out;
}

export function buildNotification(receiver: string, groupKey: string, groupLabels: Labels, alerts: Alert[], externalURL: string): Notification {
  const notified: NotifiedAlert[] = alerts.map((a) => ({
    status: a.state,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: a.state === 'resolved' && a.endsAt !== undefined ? new Date(a.endsAt).toISOString() : ZERO_TIME,
    generatorURL: a.generatorUrl ?? `${externalURL}/api/v1/alerts/${a.fingerprint}`,
    fingerprint: a.fingerprint,
    ...(a.ackedBy ? { acknowledgedBy: a.ackedBy } : {}),
  }));
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: notified.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver,
    groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL,
    alerts: notified,
  };
}
