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

/**
 * `change` says what happened: fired, resolved, acknowledged, unacknowledged. Fields are set
 * only when they have a value, without the generic clean-up pass of event(): every pushed alert
 * that fires makes one (bench:alerts, part c).
 */
export function alertEvent(timeMs: number, a: Alert, change: string): StoredEvent {
  const fields: Record<string, FieldValue> = {
    'alert.fingerprint': a.fingerprint,
    'alert.state': a.state,
    'alert.source': a.source,
    'alert.change': change,
    'alert.starts_at': new Date(a.startsAt).toISOString(),
  };
  const optional = (name: string, v: FieldValue | undefined | null) => {
    if (v !== undefined && v !== null) fields[name] = v;
  };
  optional('alert.name', a.labels.alertname);
  optional('alert.severity', a.labels.severity);
  optional('alert.summary', a.annotations.summary);
  optional('alert.value', a.value);
  optional('alert.acknowledged_by', a.ackedBy);
  if (a.endsAt !== undefined) fields['alert.ends_at'] = new Date(a.endsAt).toISOString();
  for (const name in a.labels) fields[`label.${name}`] = a.labels[name];
  return { time: Math.round(timeMs * 1000), samplerate: 1, fields };
}
