// HTTP server assembly: the app, the access rules, the error format, and a running node.
export { startTend, type Tend } from './tend.js';
export { HttpError, badRequest, unauthorized, forbidden, notFound, tooLarge, overloaded } from './errors.js';
export { principalOf, keyFromHeaders, type Access } from './access.js';
export { parseJsonBody, decodeBody } from './decode-body.js';
