// People: users, their roles, passwords and sessions, and sign-in with its lockout. The routes
// (users/routes.ts, sessions/routes.ts), the access hook, the CLI and single sign-on all go
// through this one object, so every rule (password strength, the last owner, revoking sessions
// on a change) holds whichever way a change arrives.
import type { Environment, MetaStore } from '../store/index.js';
import type { AuthService } from './auth-service.js';
import { badRequest, HttpError, notFound, overloaded } from '../http/index.js';
import { ROLES, type Role } from './permissions.js';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './users/password.js';
import { normalizeEmail, publicUser, UserStore, type User, type UserRecord } from './users/user-store.js';
import { SessionStore, type SessionLimits } from './sessions/session-store.js';
import { Lockout } from './sessions/lockout.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const conflict = (message: string) => new HttpError(409, message);

export interface NewUser {
  email: string;
  name?: string;
  password?: string;
  roles: Record<string, string>;
  /** OpenID subject, for users made at their first single sign-on. */
  subject?: string;
}

export interface UserChange {
  name?: string;
  password?: string;
  roles?: Record<string, string>;
  disabled?: boolean;
}

export class People {
  readonly lockout: Lockout;

  private constructor(
    readonly auth: AuthService,
    readonly users: UserStore,
    readonly sessions: SessionStore,
    now: () => number,
  ) {
    this.lockout = new Lockout(now);
  }

  static async open(meta: MetaStore, auth: AuthService, limits: SessionLimits, opts: { now?: () => number } = {}): Promise<People> {
    return new People(auth, await UserStore.open(meta), await SessionStore.open(meta, limits, opts.now), opts.now ?? Date.now);
  }

  async defaultEnvironment(): Promise<Environment> {
    return (await this.auth.environment('production')) ?? (await this.auth.environments())[0] ?? this.auth.ensureEnvironment('production');
  }

  private async resolveRoles(roles: Record<string, string>, field: string, create = false): Promise<{ env: Environment; role: Role }[]> {
    const out: { env: Environment; role: Role }[] = [];
    for (const [envName, role] of Object.entries(roles)) {
      if (!ROLES.includes(role as Role)) throw badRequest(`${field}.${envName}: must be one of ${ROLES.join(', ')}, got "${role}"`);
      const env = create ? await this.auth.ensureEnvironment(envName) : await this.auth.environment(envName);
      if (!env) throw badRequest(`${field}.${envName}: no environment with that name`);
      out.push({ env, role: role as Role });
    }
    return out;
  }

  private checkPassword(password: string, email: string, name: string): void {
    const problem = passwordProblem(password, [email, email.split('@')[0], name]);
    if (problem) throw badRequest(`password: ${problem}`);
  }

  async create(input: NewUser, opts: { createEnvironments?: boolean } = {}): Promise<User> {
    const email = normalizeEmail(input.email);
    if (!EMAIL.test(email) || email.length > 320) throw badRequest(`email: "${input.email}" is not an email address`);
    const name = input.name?.trim() || email.split('@')[0];
    if (input.password !== undefined) this.checkPassword(input.password, email, name);
    const roles = await this.resolveRoles(input.roles, 'roles', opts.createEnvironments);
    if (await this.users.byEmail(email)) throw conflict(`email: a user with email ${email} already exists`);
    const id = await this.users.insert({
      email, name, subject: input.subject, roles,
      passwordHash: input.password === undefined ? null : await hashPassword(input.password),
    });
    return publicUser((await this.users.byId(id))!);
  }

  async get(id: string): Promise<UserRecord> {
    const u = await this.users.byId(id);
    if (!u) throw notFound(`no user with id "${id}"`);
    return u;
  }

  /** Finds a user by id or email (the CLI names users by email). */
  async find(idOrEmail: string): Promise<UserRecord> {
    const u = idOrEmail.includes('@') ? await this.users.byEmail(idOrEmail) : await this.users.byId(idOrEmail);
    if (!u) throw notFound(`no user "${idOrEmail}"`);
    return u;
  }

  async list(): Promise<User[]> {
    return (await this.users.list()).map(publicUser);
  }

  /** Applies a change; returns the user before and after. Sessions end on a password, role or standing change. */
  async update(id: string, change: UserChange): Promise<{ before: User; after: User }> {
    const before = await this.get(id);
    if (change.name !== undefined && !change.name.trim()) throw badRequest('name: must not be empty');
    if (change.password !== undefined) this.checkPassword(change.password, before.email, change.name ?? before.name);
    const roles = change.roles ? await this.resolveRoles(change.roles, 'roles') : undefined;
    if ((roles && !roles.some((r) => r.role === 'owner')) || change.disabled) await this.keepAnOwner(id);
    await this.users.update(id, {
      name: change.name?.trim(),
      passwordHash: change.password === undefined ? undefined : await hashPassword(change.password),
      roles,
      disabled: change.disabled,
    });
    const after = await this.get(id);
    const rolesChanged = JSON.stringify(before.roles) !== JSON.stringify(after.roles);
    if (change.password !== undefined || rolesChanged || (change.disabled && !before.disabled)) await this.sessions.revokeUser(id);
    return { before: publicUser(before), after: publicUser(after) };
  }

  async remove(id: string): Promise<User> {
    const before = await this.get(id);
    await this.keepAnOwner(id);
    await this.sessions.revokeUser(id);
    await this.users.remove(id);
    return publicUser(before);
  }

  /** Someone must always be able to manage users: refuse to remove the last active owner. */
  private async keepAnOwner(leaving: string): Promise<void> {
    const others = (await this.users.list()).filter((u) => u.id !== leaving && !u.disabled && Object.values(u.roles).includes('owner'));
    const leavingUser = await this.users.byId(leaving);
    const isOwner = leavingUser && !leavingUser.disabled && Object.values(leavingUser.roles).includes('owner');
    if (isOwner && others.length === 0) throw conflict('this is the last active owner: make another user an owner first');
  }

  /**
   * Checks an email and password. Unknown emails, wrong passwords and disabled users get the
   * same answer in the same time; lockouts answer 429 with Retry-After, even for the right password.
   */
  async login(email: string, password: string, address: string): Promise<{ user: UserRecord; token: string }> {
    const key = normalizeEmail(email);
    const wait = this.lockout.waitMs(key, address);
    if (wait > 0) throw overloaded('too many failed sign-ins: wait before trying again', Math.ceil(wait / 1000));
    const user = await this.users.byEmail(key);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
    if (!user || !ok || user.disabled || !user.passwordHash) {
      this.lockout.fail(key, address);
      throw new HttpError(401, 'wrong email or password');
    }
    this.lockout.succeed(key);
    const { token } = await this.sessions.create(user.id);
    return { user, token };
  }

  /** The user behind a session token, or null when it is unknown, expired or the user disabled. */
  async userOfSession(token: string): Promise<{ user: UserRecord; sessionId: string } | null> {
    const session = await this.sessions.verify(token);
    if (!session) return null;
    const user = await this.users.byId(session.userId);
    if (!user || user.disabled) return null;
    return { user, sessionId: session.id };
  }
}
