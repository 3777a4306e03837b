// Alert history is data: every alert state change is an event in tend.alerts, every trigger
// evaluation in tend.trigger_runs, every delivery attempt in tend.notifications, written
// through the ingest pipeline like any other event.
import type { Environment, FieldValue, StoredEvent } from '../store/index.js';
import type { Alert } from './model.js';

export const ALERTS_DATASET = 'tend.alerts';
export const TRIGGER_RUNS_DATASET = 'tend.trigger_runs';
export const NOTIFICATIONS_DATASET = 'tend.notifications';

export type EventWriter = (env: Environment, dataset: string, events: StoredEvent[]) => Promise<void>;

export function event(timeMs: number, fields: Record<string, FieldValue | undefined | null>): StoredEvent {
  const clean: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) clean[k] = v;
  return { time: Math.round(timeMs * 1000), samplerate: 1, fields: clean };
}

/** `change` says what happened: fired, resolved, acknowledged, unacknowledged. */
export function alertEvent(timeMs: number, a: Alert, change: string): StoredEvent {
  const fields: Record<string, FieldValue | undefined | null> = {
    'alert.fingerprint': a.fingerprint,
    'alert.name': a.labels.alertname,
    'alert.state': a.state,
    'alert.source': a.source,
    'alert.severity': a.labels.severity,
    'alert.change': change,
    'alert.summary': a.annotations.summary,
    'alert.value': a.value,
    'alert.acknowledged_by': a.ackedBy,
    'alert.starts_at': new Date(a.startsAt).toISOString(),
    'alert.ends_at': a.endsAt === undefined ? undefined : new Date(a.endsAt).toISOString(),
  };
  for (const [k, v] of Object.entries(a.labels)) fields[`label.${k}`] = v;
  return event(timeMs, fields);
}
