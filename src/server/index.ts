// The assembly: a running Tend node built from every capability. Only the CLI and tests import
// it; no capability does (shared HTTP helpers live in src/http, the access hook in src/auth).
export { startTend, type Tend } from './tend.js';
