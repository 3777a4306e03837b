// The audit log: who changed what, as events in `tend.audit` of each environment, the route
// that reads them, and the log's own retention. Auth describes changes on the request; this
// folder records them.
export { AuditLog, type EventSink } from './audit-log.js';
export { registerAuditHook } from './hook.js';
export { registerAuditRoutes } from './routes.js';
export { AuditRetention } from './retention.js';
