// Alerts: one model for alerts raised by triggers, checks and Prometheus; routing, grouping,
// inhibition and silences as Alertmanager does them; durable delivery to receivers.
export { startAlerts, type Alerts, type AlertsDeps } from './start.js';
export { ALERTS_DATASET, TRIGGER_RUNS_DATASET, NOTIFICATIONS_DATASET } from './events.js';
export type { CheckChange } from './check-alerts.js';
export { parseAlertsFile, readAlertsFile, AlertsConfigError } from './config.js';
export { fingerprint, labelName } from './labels.js';
export { signature } from './receivers/index.js';
export type { Alert, AlertSource, AlertState } from './model.js';
export { buildRoute, matchRoutes, type Route } from './routing/route-tree.js';
export type { RouteConfig } from './config.js';
// For the SLOs capability (burn alerts are alerts): the evaluation lease, label and duration rules.
// Leases moved to the store (every capability's once-only work uses them); importers here keep working.
export { Leases } from '../store/index.js';
export { cleanLabels, type Labels } from './labels.js';
export { parseDuration } from './duration.js';
export type { AlertReport } from './model.js';
// Who did it (the signed-in person's email, or the key): incidents use the same authors as alerts.
export { authorOf } from './author.js';
