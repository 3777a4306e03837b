// Environments, API keys and the bootstrap of the first start.
export { AuthService, slugify, type Principal, type KeyRecord } from './auth-service.js';
export { bootstrap, KEYS_FILE, type BootstrapResult } from './bootstrap.js';
export { KEY_KINDS, type KeyKind } from './keys.js';
export { registerAuthRoutes } from './routes.js';
export { registerAccessHook, principalOf, keyFromHeaders, type Access } from './access.js';
