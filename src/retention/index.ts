// Retention per dataset (docs/operations.md, "Retention"): tend.yaml's rules, the sweep that
// drops whole day partitions, and GET /api/v1/datasets showing each dataset's retention.
export { RetentionPolicy, type EffectiveRetention, type RetentionRules } from './policy.js';
export { parseRetention, readRetention, RetentionConfigError, DEFAULT_RETENTION_DAYS } from './config.js';
export { Retention, type RetentionDeps, type RetentionOverride } from './retention.js';
export { registerRetentionRoutes } from './routes.js';
