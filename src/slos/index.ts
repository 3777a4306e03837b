// SLOs: service level objectives from events (an SLI in the derived-column language, a target,
// a rolling period), error budgets and burn rates from per-minute rollups computed through the
// query engine, burn alerts raised through the alerts capability, history in tend.slos.
export { startSlos, type Slos, type SlosDeps } from './start.js';
export { SLOS_DATASET, type RoundReport } from './slo-service.js';
export { parseSlosFile } from './config.js';
export { SloDefinitionError } from './definition.js';
export { sloStatus, BURN_WINDOWS, type SloStatus } from './burn/status.js';
