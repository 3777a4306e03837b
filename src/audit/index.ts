// The audit log: who changed what, as events in `tend.audit` of each environment, and the
// route that reads them. Auth describes changes on the request; this folder records them.
export { AuditLog, AUDIT_DATASET, auditEvent, redact, type AuditEntry, type EventSink } from './audit-log.js';
export { registerAuditHook, actionOf } from './hook.js';
export { registerAuditRoutes } from './routes.js';
export { AuditRetention } from './retention.js';
