// Environments, API keys, people (users, roles, sessions, sign-in, single sign-on), the
// permission table and the access hook that applies it, and the bootstrap of the first start.
export { AuthService, slugify, type Principal, type KeyRecord } from './auth-service.js';
export { bootstrap, bootstrapOnce, type BootstrapResult } from './bootstrap.js';
export { KEY_KINDS, type KeyKind } from './keys.js';
export { registerAuthRoutes } from './routes.js';
export { registerAccessHook, registeredRoutes, principalOf, keyFromHeaders, type Access } from './access.js';
export { ROUTE_PERMISSIONS, ROLES, ruleFor, roleHolds, keyHolds, type Role, type Permission, type RouteRule } from './permissions.js';
export type { Actor, Outcome } from './audit-entry.js';
export { People, type NewUser, type UserChange } from './people.js';
export type { User } from './users/user-store.js';
export { randomPassword } from './users/password.js';
export { bootstrapOwner, type OwnerBootstrap } from './users/bootstrap-owner.js';
export { registerUserRoutes } from './users/routes.js';
export { registerSessionRoutes } from './sessions/routes.js';
export { registerOidcRoutes } from './oidc/routes.js';
export { readOidcSettings } from './oidc/settings.js';
