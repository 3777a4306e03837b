// `tend users` and `tend login` through the built command: on a stopped data folder, then
// against the running server after signing in, each change in the audit log. Needs `npm run build`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTend } from './support/cli.js';
import { spawnTend, tempDataDir, type ChildTend } from './support/tend.js';
import { Browser } from './support/people.js';

const dataDir = tempDataDir('tend-users-cli');
const configDir = tempDataDir('tend-config');
const env = { TEND_CONFIG_DIR: configDir };
let server: ChildTend | undefined;
afterAll(() => server?.stop());

const json = (run: { code: number | null; stdout: string; stderr: string }) => {
  if (run.code !== 0) throw new Error(`tend failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout);
};

describe('tend users and tend login', () => {
  it('manages users on a stopped folder, then through the running server as a signed-in owner', async () => {
    // First start: the banner shows the owner's generated password once.
    server = await spawnTend(dataDir);
    const keys = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8'));
    expect(server.banner).toContain(`owner: owner@localhost  password ${keys.owner_password}  (shown once`);
    await server.stop();
    server = undefined;

    const added = json(await runTend(['users', 'add', 'Alice@Example.com', '--name', 'Alice', '--role', 'production=admin', '--role', 'staging=viewer', '--json', '--data', dataDir], { env }));
    expect(added).toMatchObject({ email: 'alice@example.com', name: 'Alice', roles: { production: 'admin', staging: 'viewer' }, has_password: true });
    expect(added.password).toMatch(/^[\w-]{24}$/);
    const weak = await runTend(['users', 'reset-password', 'alice@example.com', '--password-stdin', '--data', dataDir], { env, input: 'password1234\n' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/password: is too weak/);
    json(await runTend(['users', 'reset-password', 'alice@example.com', '--password-stdin', '--json', '--data', dataDir], { env, input: 'lamp orbit violet ferry 9\n' }));
    const demoted = json(await runTend(['users', 'set-role', 'alice@example.com', 'staging', 'none', '--json', '--data', dataDir], { env }));
    expect(demoted.roles).toEqual({ production: 'admin' });
    const list = json(await runTend(['users', 'list', '--json', '--data', dataDir], { env }));
    expect(list.map((u: { email: string }) => u.email)).toEqual(['alice@example.com', 'owner@localhost']);
    const readKey = await runTend(['keys', 'create', '--kind', 'read', '--name', 'dash', '--data', dataDir], { env });
    expect(readKey.stdout).toMatch(/^tkr_/);
    const table = await runTend(['users', 'list', '--data', dataDir], { env });
    expect(table.stdout).toMatch(/^EMAIL\s+NAME\s+ROLES\s+STATE\s+ID\nalice@example.com\s+Alice\s+production=admin\s+active/);

    server = await spawnTend(dataDir);
    // The folder is held: without a session the command says how to sign in.
    const anonymous = await runTend(['users', 'list', '--data', dataDir], { env });
    expect(anonymous.stderr).toMatch(/tend login/);
    const refused = await runTend(['login', '--email', 'owner@localhost', '--password-stdin', '--data', dataDir], { env, input: 'wrong password here\n' });
    expect(refused.stderr).toMatch(/sign-in refused: 401 wrong email or password/);
    const login = json(await runTend(['login', '--email', 'owner@localhost', '--password-stdin', '--json', '--data', dataDir], { env, input: `${keys.owner_password}\n` }));
    expect(login.user).toMatchObject({ email: 'owner@localhost', roles: { production: 'owner' } });
    const saved = path.join(configDir, 'session.json');
    expect(fs.statSync(saved).mode & 0o777).toBe(0o600);

    const bob = json(await runTend(['users', 'add', 'bob@example.com', '--role', 'production=viewer', '--json', '--data', dataDir], { env }));
    expect(bob.roles).toEqual({ production: 'viewer' });
    const disabled = json(await runTend(['users', 'disable', 'alice@example.com', '--json', '--data', dataDir], { env }));
    expect(disabled.disabled).toBe(true);
    expect((await new Browser(server.url).login('alice@example.com', 'lamp orbit violet ferry 9')).status).toBe(401);
    const enabled = json(await runTend(['users', 'enable', 'alice@example.com', '--json', '--data', dataDir], { env }));
    expect(enabled.disabled).toBe(false);
    expect((await new Browser(server.url).login('alice@example.com', 'lamp orbit violet ferry 9')).status).toBe(200);

    // The audit log has both kinds of change: made at the folder (local) and by the signed-in owner.
    const owner = new Browser(server.url);
    await owner.login('owner@localhost', keys.owner_password);
    const audit = (await owner.request('GET', '/api/v1/audit?limit=100')).body.events as Record<string, unknown>[];
    const summary = audit.map((e) => `${e['actor.kind']}:${e.action}:${e.outcome}`);
    expect(summary).toEqual(expect.arrayContaining([
      'local:user.create:success', 'local:user.update:success', 'local:user.role_change:success', 'local:key.create:success',
      'user:auth.login:success', 'user:user.create:success', 'user:user.update:success',
    ]));
    const created = audit.find((e) => e.action === 'user.create' && e['actor.kind'] === 'user')!;
    expect(created['actor.email']).toBe('owner@localhost');
    expect(JSON.parse(String(created['change.after']))).toMatchObject({ email: 'bob@example.com', roles: { production: 'viewer' } });
    expect(JSON.stringify(audit)).not.toContain(keys.owner_password);
    expect(JSON.stringify(audit)).not.toContain('lamp orbit');

    const out = await runTend(['logout'], { env });
    expect(out.stdout).toMatch(/signed out/);
    expect(fs.existsSync(saved)).toBe(false);
  }, 120_000);
});
