// `tend users list|add|set-role|disable|enable|reset-password`. On a stopped data folder they
// open it directly (and record each change in tend.audit as done by `local`, the person at the
// folder); while a server holds the folder, or with --url, they go through its API as the
// person signed in with `tend login`, who must be an owner.
import type { Command } from 'commander';
import { AuthService, People, randomPassword, type User, type UserChange, type NewUser } from '../auth/index.js';
import type { DuckDatabase } from '../store/index.js';
import { folderAudit, onFolderOrServer } from './data-folder.js';
import { callAsUser, loadSession, readPasswordFromStdin } from './session.js';
import { formatTable } from './table.js';

interface Backend {
  list(): Promise<User[]>;
  create(input: NewUser): Promise<User>;
  update(email: string, change: UserChange): Promise<User>;
}

interface Common {
  url?: string;
  data?: string;
  json?: boolean;
}

/** Changes straight on the data folder, each recorded in tend.audit. */
async function direct(db: DuckDatabase): Promise<{ backend: Backend; done: () => void }> {
  const auth = await AuthService.open(db);
  const people = await People.open(db, auth, { idleMs: 1, maxMs: 1 });
  const audit = await folderAudit(db);
  // A person's record spans environments; changes made at the folder go to the default one.
  const record = async (action: string, after: User, before?: User) =>
    audit.record(await people.defaultEnvironment(), action, { kind: 'user', id: after.id }, { before, after });
  return {
    backend: {
      list: () => people.list(),
      async create(input) {
        // At the folder itself, naming an environment that does not exist yet creates it.
        const user = await people.create(input, { createEnvironments: true });
        await record('user.create', user);
        return user;
      },
      async update(email, change) {
        const { before, after } = await people.update((await people.find(email)).id, change);
        await record(change.roles ? 'user.role_change' : 'user.update', after, before);
        return after;
      },
    },
    done: () => audit.done(),
  };
}

/** Changes through a running server, as the person signed in with `tend login`. */
function viaApi(url: string | undefined): Backend {
  const s = loadSession();
  if (!s) throw new Error('a server holds this data folder: sign in as an owner with `tend login --email <you>` first');
  if (url && url.replace(/\/$/, '') !== s.url) throw new Error(`the saved session is for ${s.url}, not ${url}: run \`tend login --url ${url}\``);
  const byEmail = async (email: string) => {
    const found = (await callAsUser<{ users: User[] }>(s, 'GET', '/api/v1/users')).users.find((u) => u.email === email.trim().toLowerCase());
    if (!found) throw new Error(`no user "${email}"`);
    return found;
  };
  return {
    list: async () => (await callAsUser<{ users: User[] }>(s, 'GET', '/api/v1/users')).users,
    create: (input) => callAsUser<User>(s, 'POST', '/api/v1/users', input),
    update: async (email, change) => callAsUser<User>(s, 'PATCH', `/api/v1/users/${(await byEmail(email)).id}`, change),
  };
}

function withUsers(opts: Common, work: (b: Backend) => Promise<void>): Promise<void> {
  return onFolderOrServer(
    opts,
    async (db) => {
      const { backend, done } = await direct(db);
      await work(backend);
      done();
    },
    (url) => work(viaApi(url)),
  );
}

function parseRoles(values: string[]): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const v of values) {
    const m = /^([^=]+)=(\w+)$/.exec(v);
    if (!m) throw new Error(`--role ${v}: expected <environment>=<role>, such as production=viewer`);
    roles[m[1].trim()] = m[2];
  }
  return roles;
}

function printUsers(opts: Common, users: User[]): void {
  if (opts.json) {
    process.stdout.write(JSON.stringify(users) + '\n');
    return;
  }
  const rows = users.map((u) => [u.email, u.name, Object.entries(u.roles).map(([e, r]) => `${e}=${r}`).join(',') || '-', u.disabled ? 'disabled' : 'active', u.id]);
  process.stdout.write(formatTable(['EMAIL', 'NAME', 'ROLES', 'STATE', 'ID'], rows));
}

/** One user after a change; a generated password is shown this once. */
function printUser(opts: Common, user: User, password?: string): void {
  if (opts.json) {
    process.stdout.write(JSON.stringify(password ? { ...user, password } : user) + '\n');
    return;
  }
  printUsers(opts, [user]);
  if (password) process.stdout.write(`password: ${password}\n  Shown once: hand it over privately; they can change it after signing in.\n`);
}

const common = (cmd: Command) =>
  cmd
    .option('--url <url>', 'a running server (env TEND_URL); needs `tend login` as an owner')
    .option('--data <dir>', 'data folder (env TEND_DATA)')
    .option('--json', 'print JSON');

async function passwordOption(opts: { passwordStdin?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (opts.passwordStdin) return { password: await readPasswordFromStdin(), generated: false };
  return { password: randomPassword(), generated: true };
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('Manage people and their roles (owners only)');

  common(users.command('list').description('List users and their roles')).action(async (opts: Common) => {
    await withUsers(opts, async (b) => printUsers(opts, await b.list()));
  });

  common(
    users
      .command('add <email>')
      .description('Add a user; without --password-stdin a random password is made and shown once')
      .option('--name <name>', 'display name')
      .option('--role <env=role...>', 'a role per environment: owner, admin, member or viewer', [])
      .option('--password-stdin', 'read the password from the first line of stdin')
      .option('--sso-only', 'no password: the user signs in through single sign-on only'),
  ).action(async (email: string, opts: Common & { name?: string; role: string[]; passwordStdin?: boolean; ssoOnly?: boolean }) => {
    const pw = opts.ssoOnly ? undefined : await passwordOption(opts);
    await withUsers(opts, async (b) => {
      const user = await b.create({ email, name: opts.name, password: pw?.password, roles: parseRoles(opts.role) });
      printUser(opts, user, pw?.generated ? pw.password : undefined);
    });
  });

  common(users.command('set-role <email> <environment> <role>').description('Give a role in an environment (owner, admin, member, viewer), or none to take it away')).action(
    async (email: string, environment: string, role: string, opts: Common) => {
      await withUsers(opts, async (b) => {
        const current = (await b.list()).find((u) => u.email === email.trim().toLowerCase());
        if (!current) throw new Error(`no user "${email}"`);
        const roles: Record<string, string> = { ...current.roles };
        if (role === 'none') delete roles[environment.toLowerCase()];
        else roles[environment.toLowerCase()] = role;
        printUser(opts, await b.update(email, { roles }));
      });
    },
  );

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    common(users.command(`${name} <email>`).description(disabled ? 'Stop a user from signing in; their sessions end at once' : 'Let a disabled user sign in again')).action(
      async (email: string, opts: Common) => {
        await withUsers(opts, async (b) => printUser(opts, await b.update(email, { disabled })));
      },
    );
  }

  common(
    users
      .command('reset-password <email>')
      .description("Set a user's password (random and shown once unless --password-stdin); their sessions end")
      .option('--password-stdin', 'read the new password from the first line of stdin'),
  ).action(async (email: string, opts: Common & { passwordStdin?: boolean }) => {
    const pw = await passwordOption(opts);
    await withUsers(opts, async (b) => printUser(opts, await b.update(email, { password: pw.password }), pw.generated ? pw.password : undefined));
  });
}
