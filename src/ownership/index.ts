// Ownership: the service catalog (tend.yaml and Backstage imports), on-call schedules and
// escalation, incidents opened from alerts with timelines, runbooks, and the handoff rule kept
// live from real faults.
export { startOwnership, type OwnershipCapability, type OwnershipStartDeps } from './start.js';
export { parseOwnershipFile, OwnershipConfigError, SEVERITIES, type Severity } from './config.js';
export { parseBackstage, toTendYaml, BackstageError } from './catalog/backstage.js';
export { INCIDENTS_DATASET } from './incidents/incident-service.js';
export { HANDOFFS_DATASET } from './ownership.js';
