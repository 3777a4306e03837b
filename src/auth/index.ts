// Environments, API keys, people (users, roles, sessions, sign-in), the permission table and
// the access hook that applies it, and the bootstrap of the first start.
export { AuthService, slugify, type Principal, type KeyRecord } from './auth-service.js';
export { bootstrap, KEYS_FILE, type BootstrapResult } from './bootstrap.js';
export { KEY_KINDS, type KeyKind } from './keys.js';
export { registerAuthRoutes } from './routes.js';
export {
  registerAccessHook, registeredRoutes, principalOf, keyFromHeaders, ruleOf, sessionTokenOf,
  ENVIRONMENT_HEADER, CSRF_HEADER, type Access, type Caller,
} from './access.js';
export { ROUTE_PERMISSIONS, ROLES, ruleFor, roleHolds, keyHolds, grantTable, type Role, type Permission, type RouteRule } from './permissions.js';
export type { Actor, ActorKind, Outcome, AuditDetail } from './audit-entry.js';
export { People, type NewUser, type UserChange } from './people.js';
export type { User, UserRecord } from './users/user-store.js';
export { passwordProblem, randomPassword, SCRYPT } from './users/password.js';
export { bootstrapOwner, DEFAULT_OWNER_EMAIL, type OwnerBootstrap } from './users/bootstrap-owner.js';
export { registerUserRoutes } from './users/routes.js';
export { registerSessionRoutes, startSession, sessionAnswer } from './sessions/routes.js';
export { SESSION_COOKIE } from './sessions/cookie.js';
export { registerOidcRoutes } from './oidc/routes.js';
export { readOidcSettings, type OidcSettings } from './oidc/settings.js';
