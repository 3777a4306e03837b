// One model for every alert, whoever raised it: labels (identity), annotations, firing or
// resolved with starts_at/ends_at, a source, and who acknowledged it.
import type { Labels } from './labels.js';

/** `tend`: Tend about itself (src/disk: the data folder short of space). */
export const ALERT_SOURCES = ['trigger', 'check', 'alertmanager', 'slo', 'tend', 'deploy'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];
export type AlertState = 'firing' | 'resolved';

export interface Alert {
  envId: string;
  fingerprint: string;
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  source: AlertSource;
  /** ms since epoch */
  startsAt: number;
  endsAt?: number;
  updatedAt: number;
  generatorUrl?: string;
  /** For pushed alerts: resolved when not refreshed by then (ms). */
  expiresAt?: number;
  /** The value that made a trigger fire. */
  value?: number | null;
  ackedBy?: string;
  ackedAt?: number;
}

/** What a source reports: the alert as it sees it now. */
export interface AlertReport {
  labels: Labels;
  annotations?: Labels;
  /** ms; default now (or the existing alert's start). */
  startsAt?: number;
  /** ms; in the past or now means resolved. */
  endsAt?: number;
  generatorUrl?: string;
  value?: number | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * Names the catalog service an alert belongs to. The ownership capability supplies it (it imports
 * alerts, so alerts cannot import it back); until it does, alerts belong to no service.
 */
export type ServiceOf = (envId: string, alert: Alert) => string | undefined;

/** The alert as /api/v1/alerts shows it, with the service it belongs to. */
export function alertJson(a: Alert, service: string | undefined) {
  return {
    fingerprint: a.fingerprint,
    service: service ?? null,
    labels: a.labels,
    annotations: a.annotations,
    state: a.state,
    source: a.source,
    starts_at: iso(a.startsAt),
    ends_at: iso(a.endsAt),
    updated_at: iso(a.updatedAt),
    generator_url: a.generatorUrl,
    value: a.value,
    acknowledged_by: a.ackedBy,
    acknowledged_at: iso(a.ackedAt),
  };
}
