// Shared HTTP helpers every capability uses: the error family and its one mapping to a status,
// request validation, body decoding, and the answer to requests Node's parser refuses. This
// folder imports no capability, so any capability may import it without a cycle.
export * from './errors.js';
export { validate, fieldPath } from './validate.js';
export { parseTimeParam } from './time-param.js';
export { parseJsonBody, formatBytes } from './decode-body.js';
export { readBody, ReceiveBudget, type BodyLimits } from './read-body.js';
export { clientErrorHandler } from './client-errors.js';
export { takeTurn } from './turns.js';
export { registerSecurityHeaders, contentSecurityPolicy } from './security-headers.js';
