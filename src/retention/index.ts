// Retention per dataset (docs/operations.md, "Retention"): tend.yaml's rules, the sweep that
// drops whole day partitions, and GET /api/v1/datasets showing each dataset's retention.
export { RetentionPolicy } from './policy.js';
export { readRetention } from './config.js';
export { Retention } from './retention.js';
export { registerRetentionRoutes } from './routes.js';
