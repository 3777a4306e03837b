// Deploys: recorded from the CLI, the API or CI webhooks (GitHub, GitLab) as markers on the
// service's datasets, and a report of what each did to endpoints, customers and builds once its
// comparison window has passed, with an alert to the owners when it made things worse.
export { startDeploys, type DeploysCapability, type DeploysStartDeps } from './start.js';
export { DEPLOYS_DATASET, DEPLOY_ALERT } from './deploy-service.js';
export { parseDeploysFile, DeploysConfigError } from './config.js';
export type { DeployReport } from './report.js';
export type { Finding } from './compare.js';
