// Check alerts: a check going down fires an alert named after it, with source="check",
// check_kind, environment and the check's own labels from tend.yaml; it resolves when the
// check is up again, or is paused, or enters a maintenance window (which also keeps it from
// going down meanwhile). A late heartbeat goes down the same way.
import type { Environment } from '../store/index.js';
import { cleanLabels, fingerprint, type Labels } from './labels.js';
import type { AlertReport } from './model.js';

export interface CheckChange {
  env: Environment;
  name: string;
  kind: string;
  labels: Record<string, string>;
  state: string;
  previous: string;
  reason?: string;
  target?: string;
}

export function checkLabels(c: CheckChange): Labels {
  return { ...cleanLabels(c.labels), alertname: c.name, source: 'check', check_kind: c.kind, environment: c.env.slug };
}

export function checkAlert(c: CheckChange): { resolve: false; alert: AlertReport } | { resolve: true; fingerprint: string } | undefined {
  const labels = checkLabels(c);
  if (c.state === 'down') {
    const summary = `${c.kind} check ${c.name} is down${c.reason ? `: ${c.reason}` : ''}`;
    return { resolve: false, alert: { labels, annotations: { summary, ...(c.target ? { description: `target: ${c.target}` } : {}) } } };
  }
  if (c.previous === 'down') return { resolve: true, fingerprint: fingerprint(labels) };
  return undefined;
}
