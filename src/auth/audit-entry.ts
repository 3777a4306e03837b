// What the audit log records, as auth sees it. Auth cannot import src/audit (audit imports
// auth), so handlers describe a change on the request (`request.audit`) and src/audit's hook,
// registered at assembly, turns every state-changing request into an event in `tend.audit`.
import type { Environment } from '../store/index.js';

/** `local`: someone at the data folder itself (`tend users` on a stopped server). */
export type ActorKind = 'user' | 'key' | 'anonymous' | 'local';
export type Outcome = 'success' | 'failure' | 'denied';

export interface Actor {
  kind: ActorKind;
  id: string;
  email?: string;
}

/** What a handler knows better than the generic hook: the action, its target, before and after. */
export interface AuditDetail {
  /** `<object>.<verb>`: auth.login, user.update, key.revoke, ... */
  action?: string;
  target?: { kind: string; id: string };
  /** Before and after a change; secrets are removed by the writer all the same. */
  before?: unknown;
  after?: unknown;
  /** For sign-in, where the request carries no credential yet. */
  actor?: Actor;
  env?: Environment;
}

declare module 'fastify' {
  interface FastifyRequest {
    audit?: AuditDetail;
  }
}
