// Customers: through a customer's eyes. The customers of a dataset hurt most in a window, and
// one customer's page (its traffic, errors and latency against everyone's, its endpoints, its
// slowest and failing requests, the incidents that touched it). Fields come from
// src/dataset-fields; numbers from the query engine, or from reads through the store's
// compiler that answer the same faster (quantile.ts; everyone.ts and customer-events.ts keep
// rollups per hour, checked against each hour's event count).
export { startCustomers, type CustomersStartDeps } from './start.js';
export { mostAffected, type CustomerList, type CustomerRow } from './most-affected.js';
export { customerPage, type CustomerPage } from './page.js';
export { latencyObjective } from './slow.js';
export { parseWindow, type Window } from './window.js';
export type { CustomerDeps } from './context.js';
export type { IncidentSummary } from './incidents.js';
