// HTTP server assembly: a running Tend node. Capabilities import the server's small helpers
// (errors.ts, access.ts, decode-body.ts, validate.ts) from their own files rather than from
// here, because this file leads to tend.ts, which imports every capability: going through it
// would make each capability import itself in a cycle.
export { startTend, type Tend } from './tend.js';
