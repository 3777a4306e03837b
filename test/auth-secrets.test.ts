// No password, session token, CSRF token or key secret appears anywhere in the data folder
// (files as bytes, and every table read back through SQL), in the server's logs at trace level,
// or in the audit log. keys.json is the one exception by design: it holds the bootstrap keys
// (and a generated owner password), nothing else. Needs `npm run build`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDatabase } from '../src/store/index.js';
import { Browser, OWNER } from './support/people.js';
import { spawnTend, tempDataDir, type ChildTend } from './support/tend.js';

const dataDir = tempDataDir('tend-secrets');
let server: ChildTend | undefined;
afterAll(() => server?.stop());

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Which of `secrets` occur in the bytes of the data folder's files, keys.json aside. */
function inFiles(secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const file of files(dataDir)) {
    if (path.basename(file) === 'keys.json') continue;
    const bytes = fs.readFileSync(file);
    for (const [name, value] of Object.entries(secrets)) if (bytes.includes(Buffer.from(value))) found.push(`${name} in ${path.relative(dataDir, file)}`);
  }
  return found;
}

describe('secrets', () => {
  it('appear nowhere in the data folder, the logs or the audit log', async () => {
    server = await spawnTend(dataDir, 0, { TEND_ADMIN_EMAIL: OWNER.email, TEND_ADMIN_PASSWORD: OWNER.password }, ['--log-level', 'trace']);
    const keys = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8'));
    expect(keys).not.toHaveProperty('owner_password');

    const owner = new Browser(server.url);
    await owner.login(OWNER.email, OWNER.password);
    const ownerToken = owner.cookie!.split('=')[1];
    const ownerCsrf = owner.csrf!;
    const made = await owner.request('POST', '/api/v1/users', { email: 'sam@example.com', password: 'lamp orbit violet ferry 9', roles: { production: 'admin' } });
    await owner.request('PATCH', `/api/v1/users/${made.body.id}`, { password: 'quiet harbor maple 77 tin' });
    const key = (await owner.request('POST', '/api/v1/keys', { kind: 'read', name: 'leaky' })).body.key;
    const pingKey = (await owner.request('POST', '/api/v1/ping-key')).body.ping_key;
    const wrong = await new Browser(server.url).login('sam@example.com', 'a wrong guess of sams');
    expect(wrong.status).toBe(401);
    const sam = new Browser(server.url);
    expect((await sam.login('sam@example.com', 'quiet harbor maple 77 tin')).status).toBe(200);
    const samToken = sam.cookie!.split('=')[1];
    // The key is used, so it passes through the access hook and the request log.
    expect((await fetch(`${server.url}/1/auth`, { headers: { 'x-honeycomb-team': key } })).status).toBe(200);
    await sam.request('POST', '/api/v1/auth/logout');

    const secrets: Record<string, string> = {
      'owner password': OWNER.password,
      'first password': 'lamp orbit violet ferry 9',
      'changed password': 'quiet harbor maple 77 tin',
      'wrong password': 'a wrong guess of sams',
      'owner session': ownerToken,
      'owner csrf token': ownerCsrf,
      'sam session': samToken,
      'read key': key,
      'ping key': pingKey,
      'bootstrap admin key': keys.admin_key,
      'bootstrap ingest key': keys.ingest_key,
    };
    for (const v of Object.values(secrets)) expect(v.length).toBeGreaterThan(15);

    const audit = await fetch(`${server.url}/api/v1/audit?limit=1000`, { headers: { 'x-honeycomb-team': keys.admin_key } });
    const auditText = await audit.text();
    expect(JSON.parse(auditText).events.length).toBeGreaterThan(5);
    expect(Object.entries(secrets).filter(([, v]) => auditText.includes(v)).map(([k]) => k)).toEqual([]);
    expect(inFiles(secrets)).toEqual([]);

    await server.stop();
    const logs = server.output();
    expect(logs).toMatch(/"url":"\/api\/v1\/auth\/login"/); // the trace log did record the requests
    // The first start's banner shows the new ingest key once, as it shows a generated owner password.
    expect(logs.split(keys.ingest_key).length - 1).toBe(1);
    expect(logs.indexOf(keys.ingest_key)).toBeLessThan(server.banner.length);
    const leaked = (text: string) => Object.entries(secrets).filter(([, v]) => text.includes(v)).map(([k]) => k);
    expect(leaked(logs.replace(keys.ingest_key, ''))).toEqual([]);
    // Later starts print no secret at all.
    server = await spawnTend(dataDir, 0, {}, ['--log-level', 'trace']);
    await fetch(`${server.url}/1/auth`, { headers: { 'x-honeycomb-team': key } });
    await server.stop();
    expect(server.output()).toContain('<ingest_key from keys.json>');
    expect(leaked(server.output())).toEqual([]);
    server = undefined;

    // After a clean stop the log is folded into the database file: look again, and through SQL.
    expect(inFiles(secrets)).toEqual([]);
    const keysFile = fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8');
    expect(Object.entries(secrets).filter(([k, v]) => !k.startsWith('bootstrap') && keysFile.includes(v)).map(([k]) => k)).toEqual([]);
    const db = await DuckDatabase.open(dataDir);
    try {
      const tables = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`);
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['users', 'sessions', 'api_keys']));
      const found: string[] = [];
      for (const t of tables) {
        const rows = JSON.stringify(await db.query(`SELECT * FROM "${String(t.table_name).replace(/"/g, '""')}"`), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
        for (const [name, value] of Object.entries(secrets)) if (rows.includes(value)) found.push(`${name} in table ${String(t.table_name)}`);
      }
      expect(found).toEqual([]);
    } finally {
      db.close();
    }
  }, 120_000);
});
