// Items 8 and 2 of issue 2, through the built `tend` command run as a real process: help,
// `tend keys` on a stopped data folder and against a running server, `tend send` from files
// and stdin, the bootstrap keys (generated, or TEND_ADMIN_KEY / TEND_INGEST_KEY), keys.json's
// mode, and the `tend serve` banner with a curl that works. Needs `npm run build` first.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cliPath, spawnTend, startTestTend, tempDataDir, type ChildTend } from './support/tend.js';
import { cleanEnv, runTend, type Run } from './support/cli.js';
import { storedEvents } from './support/stored.js';

const tend = runTend;

/** `tend keys create` prints the key, then `  id <id>, environment <slug>`. */
function created(run: Run): { key: string; id: string; env: string } {
  const m = /^(\S+)\n {2}id ([0-9a-f]{12}), environment (\S+)\. Shown once/.exec(run.stdout);
  if (!m) throw new Error(`unexpected output of keys create: ${JSON.stringify(run)}`);
  return { key: m[1], id: m[2], env: m[3] };
}

/** Rows of `tend keys list`: id -> [kind, environment, state]. */
function listed(run: Run): Map<string, string[]> {
  const lines = run.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^ID\s+KIND\s+ENVIRONMENT\s+STATE\s+CREATED\s+NAME$/);
  return new Map(lines.slice(1).map((l) => l.split(/\s{2,}/)).map(([id, kind, env, state]) => [id, [kind, env, state.split(' ')[0]]]));
}

async function batch(url: string, key: string, dataset: string, events: unknown[]) {
  const res = await fetch(`${url}/1/batch/${dataset}`, { method: 'POST', headers: { 'x-honeycomb-team': key }, body: JSON.stringify(events.map((data) => ({ data }))) });
  return { status: res.status, body: await res.json() };
}

const auth = (url: string, key: string) => fetch(`${url}/1/auth`, { headers: { 'x-honeycomb-team': key } });

const servers: ChildTend[] = [];
async function serve(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<ChildTend> {
  const s = await spawnTend(dataDir, 0, env);
  servers.push(s);
  return s;
}
afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL');
});

beforeAll(() => {
  expect(fs.existsSync(cliPath), 'run `npm run build` first').toBe(true);
});

describe('tend --help', () => {
  it('lists the commands and their options with their environment variables', async () => {
    const help = await tend(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['serve', 'keys', 'send']) expect(help.stdout).toMatch(new RegExp(`^ {2}${cmd}\\b`, 'm'));
    const serveHelp = (await tend(['serve', '--help'])).stdout;
    for (const [flag, env] of [['--port', 'TEND_PORT'], ['--host', 'TEND_HOST'], ['--data', 'TEND_DATA']]) {
      expect(serveHelp).toMatch(new RegExp(`${flag} <\\w+>[\\s\\S]*?env ${env}`));
    }
    const keysHelp = (await tend(['keys', '--help'])).stdout;
    for (const sub of ['create', 'list', 'revoke']) expect(keysHelp).toMatch(new RegExp(`^ {2}${sub}\\b`, 'm'));
    expect((await tend(['send', '--help'])).stdout).toMatch(/send \[options\] <dataset> \[file\]/);
  });
});

describe('tend keys, tend send and the bootstrap', () => {
  const dataDir = tempDataDir('tend-cli');
  const keys: Record<string, { key: string; id: string }> = {};
  let server: ChildTend;

  it('manages keys on a stopped data folder, before the first start', async () => {
    const ingest = await tend(['keys', 'create', '--env', 'staging', '--kind', 'ingest', '--data', dataDir]);
    expect(ingest.code).toBe(0);
    keys.stagingIngest = created(ingest);
    expect(keys.stagingIngest.key).toMatch(/^tki_/);
    expect(created(ingest).env).toBe('staging');
    const admin = await tend(['keys', 'create', '--env', 'Staging', '--kind', 'admin', '--name', 'ops', '--data', dataDir]);
    keys.stagingAdmin = created(admin);
    expect(keys.stagingAdmin.key).toMatch(/^tka_/);

    const list = listed(await tend(['keys', 'list', '--data', dataDir]));
    expect(list).toEqual(
      new Map([
        [keys.stagingIngest.id, ['ingest', 'staging', 'active']],
        [keys.stagingAdmin.id, ['admin', 'staging', 'active']],
      ]),
    );
    const bad = await tend(['keys', 'create', '--kind', 'root', '--data', dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--kind must be ingest, read or admin, got "root"/);
    // Keys are stored hashed: the secret is in no file of the data folder (database or log).
    const files = fs.readdirSync(dataDir);
    expect(files).toContain('tend.duckdb');
    for (const f of files) expect(fs.readFileSync(path.join(dataDir, f)).includes(keys.stagingIngest.key.slice(16)), f).toBe(false);
  });

  it('still bootstraps production on the first start, with keys.json mode 0600 and a banner whose curl works', async () => {
    server = await serve(dataDir);
    const file = path.join(dataDir, 'keys.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(written).toMatchObject({ environment: 'production', ingest_key: expect.stringMatching(/^tki_/), admin_key: expect.stringMatching(/^tka_/) });

    expect(server.banner).toContain(`Tend is listening on ${server.url}`);
    expect(server.banner).toContain(`keys:  ${file}  (created now; keep it private)`);
    const curl = /curl -X POST (\S+) \\\n\s+-H "X-Honeycomb-Team: (\S+)" \\\n\s+-d '(.+)'/.exec(server.banner);
    expect(curl, server.banner).not.toBeNull();
    const [, curlUrl, curlKey, curlBody] = curl!;
    expect(curlKey).toBe(written.ingest_key);
    // What that curl sends: a form-encoded POST (curl -d's default) of the JSON text.
    const res = await fetch(curlUrl, {
      method: 'POST',
      headers: { 'x-honeycomb-team': curlKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: curlBody,
    });
    expect(res.status).toBe(202);
    const columns = await fetch(`${server.url}/1/columns/my-service`, { headers: { 'x-honeycomb-team': written.admin_key } }).then((r) => r.json());
    expect(columns.map((c: { key_name: string }) => c.key_name).sort()).toEqual(['duration_ms', 'endpoint', 'status_code']);

    // The keys made before the first start work, each in its own environment.
    expect(await auth(server.url, keys.stagingIngest.key).then((r) => r.json())).toMatchObject({ type: 'ingest', environment: { slug: 'staging' } });
    expect(await batch(server.url, keys.stagingIngest.key, 'cli', [{ where: 'staging' }])).toEqual({ status: 200, body: [{ status: 202 }] });
  });

  it('refuses a second server on a data folder or a port that is taken, saying which', async () => {
    const sameFolder = await tend(['serve', '--data', dataDir, '--port', '0', '--grpc-port', 'off']);
    expect(sameFolder.code).toBe(1);
    expect(sameFolder.stderr).toMatch(/^tend: the data folder .* is locked by another process \(PID \d+\), probably a running tend serve/);
    const port = new URL(server.url).port;
    const samePort = await tend(['serve', '--data', tempDataDir('tend-cli-port'), '--port', port, '--grpc-port', 'off']);
    expect(samePort.code).toBe(1);
    expect(samePort.stderr).toBe(`tend: port ${port} on 127.0.0.1 is already in use: stop what holds it or pass --port\n`);
  });

  it('manages keys through the API while the server holds the data folder', async () => {
    const created1 = await tend(['keys', 'create', '--kind', 'ingest', '--name', 'ci', '--data', dataDir]);
    expect(created1.code, created1.stderr).toBe(0);
    keys.prodIngest = created(created1);
    expect(created(created1).env).toBe('production');
    expect((await batch(server.url, keys.prodIngest.key, 'cli', [{ n: 1 }])).body).toEqual([{ status: 202 }]);

    // The production admin key of keys.json cannot make a staging key, and says so.
    const wrongEnv = await tend(['keys', 'create', '--env', 'staging', '--kind', 'ingest', '--data', dataDir]);
    expect(wrongEnv.code).toBe(1);
    expect(wrongEnv.stderr).toMatch(/--env staging: .*reaches only environment "production"/);
    const staging = await tend(['keys', 'create', '--env', 'staging', '--kind', 'ingest', '--data', dataDir, '--key', keys.stagingAdmin.key]);
    expect(staging.code, staging.stderr).toBe(0);
    keys.stagingIngest2 = created(staging);
    expect(created(staging).env).toBe('staging');

    // Through the API an admin key sees its own environment only.
    const prodList = listed(await tend(['keys', 'list', '--data', dataDir]));
    expect([...prodList.values()].every(([, env]) => env === 'production')).toBe(true);
    expect(prodList.get(keys.prodIngest.id)).toEqual(['ingest', 'production', 'active']);
    const stagingList = listed(await tend(['keys', 'list', '--url', server.url, '--key', keys.stagingAdmin.key]));
    expect([...stagingList.keys()].sort()).toEqual([keys.stagingIngest.id, keys.stagingAdmin.id, keys.stagingIngest2.id].sort());

    const revoke = await tend(['keys', 'revoke', keys.prodIngest.id, '--data', dataDir]);
    expect(revoke).toMatchObject({ code: 0, stdout: `revoked ${keys.prodIngest.id}\n` });
    const refused = await batch(server.url, keys.prodIngest.key, 'cli', [{ n: 2 }]);
    expect(refused).toEqual({ status: 401, body: { error: 'unknown or revoked API key' } });
    expect(listed(await tend(['keys', 'list', '--data', dataDir])).get(keys.prodIngest.id)?.[2]).toBe('revoked');
    const again = await tend(['keys', 'revoke', keys.prodIngest.id, '--data', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no active key with id/);
  });

  it('sends NDJSON, JSON arrays and stdin, printing accepted and rejected counts', async () => {
    const ndjson = path.join(dataDir, 'events.ndjson');
    const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify(i % 2 ? { src: 'ndjson', i } : { data: { src: 'ndjson', i }, samplerate: 4, time: '2026-11-20T10:00:00Z' }));
    lines.splice(10, 0, 'this is not json');
    lines.splice(20, 0, '"a string"');
    lines.splice(30, 0, '{"__time": 5}');
    fs.writeFileSync(ndjson, lines.join('\n') + '\n');
    const sent = await tend(['send', 'cli-send', ndjson, '--data', dataDir, '--url', server.url]);
    expect(sent.code).toBe(2); // some events were rejected
    expect(sent.stdout).toMatch(/^accepted 2500, rejected 3 in \d+\.\d s$/m);
    expect(sent.stdout).toContain('line 11: not JSON');
    expect(sent.stdout).toContain('line 21: data: expected a JSON object, got string');
    expect(sent.stdout).toContain('line 31: data.__time: names starting with "__" are reserved');

    const array = path.join(dataDir, 'events.json');
    fs.writeFileSync(array, JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ src: 'array', i })), null, 2));
    // No --url: the server is found through the server.json it wrote into its data folder.
    const fromArray = await tend(['send', 'cli-send', array, '--data', dataDir]);
    expect(fromArray).toMatchObject({ code: 0, stdout: expect.stringMatching(/^accepted 30, rejected 0 in /) });

    const stdin = [{ src: 'stdin', i: 0 }, [1, 2], { src: 'stdin', i: 1 }].map((e) => JSON.stringify(e)).join('\n');
    const fromStdin = await tend(['send', 'cli-send', '-', '--url', server.url], { input: stdin, env: { TEND_KEY: keys.stagingIngest.key } });
    expect(fromStdin.stdout).toMatch(/^accepted 2, rejected 1 in /);
    expect(fromStdin.stdout).toContain('line 2: data: expected a JSON object, got an array');

    const broken = await tend(['send', 'cli-send', '-', '--url', server.url, '--data', dataDir], { input: '[{"a": 1},' });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^tend: input starts with "\[" but is not a JSON array: /);
    const badKey = await tend(['send', 'cli-send', array, '--url', server.url, '--key', keys.prodIngest.key]);
    expect(badKey).toMatchObject({ code: 1, stderr: 'tend: 401 unknown or revoked API key\n' });
  });

  it('keeps revocations and stores what was sent, after a restart', async () => {
    await server.stop();
    const offline = await tend(['keys', 'revoke', keys.stagingIngest.id, '--data', dataDir]);
    expect(offline).toMatchObject({ code: 0, stdout: `revoked ${keys.stagingIngest.id}\n` });
    server = await serve(dataDir);
    expect(server.banner).toContain(`keys:  ${path.join(dataDir, 'keys.json')}\n`);
    expect((await auth(server.url, keys.stagingIngest.key)).status).toBe(401);
    expect((await auth(server.url, keys.prodIngest.key)).status).toBe(401);
    expect((await auth(server.url, keys.stagingIngest2.key)).status).toBe(200);
    await server.stop();

    const t = await startTestTend({ data: dataDir });
    try {
      const rows = await storedEvents(t.tend, 'cli-send');
      const bySrc = (src: string) => rows.filter((r) => r.src === src);
      expect(bySrc('ndjson')).toHaveLength(2500);
      expect(bySrc('array').map((r) => r.i).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 30 }, (_, i) => i));
      const wrapped = bySrc('ndjson').find((r) => r.i === 0);
      expect(wrapped).toMatchObject({ __samplerate: 4, __time_us: Date.parse('2026-11-20T10:00:00Z') * 1000 });
      expect(bySrc('ndjson').find((r) => r.i === 1)).toMatchObject({ __samplerate: 1 });
      expect(await storedEvents(t.tend, 'cli-send', 'staging')).toHaveLength(2);
    } finally {
      await t.close();
    }
  });
});

describe('bootstrap keys from the environment', () => {
  it('uses TEND_ADMIN_KEY and TEND_INGEST_KEY set before the first start, and only then', async () => {
    const dataDir = tempDataDir('tend-cli-env');
    const supplied = { TEND_ADMIN_KEY: 'automation-admin-key-0123456789', TEND_INGEST_KEY: 'automation-ingest-key-0123456789' };
    const server = await serve(dataDir, supplied);
    expect(fs.statSync(path.join(dataDir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(server).toMatchObject({ adminKey: supplied.TEND_ADMIN_KEY, ingestKey: supplied.TEND_INGEST_KEY });
    expect(await auth(server.url, supplied.TEND_ADMIN_KEY).then((r) => r.json())).toMatchObject({ type: 'configuration', environment: { name: 'production', slug: 'production' } });
    expect(await auth(server.url, supplied.TEND_INGEST_KEY).then((r) => r.json())).toMatchObject({ type: 'ingest' });
    // The banner's curl names the variable rather than printing the secret.
    expect(server.banner).toContain('-H "X-Honeycomb-Team: $TEND_INGEST_KEY"');
    await server.stop();

    // Later starts keep the first keys; new values of the variables are not keys.
    const later = await serve(dataDir, { TEND_ADMIN_KEY: 'another-admin-key-0123456789', TEND_INGEST_KEY: '' });
    expect((await auth(later.url, 'another-admin-key-0123456789')).status).toBe(401);
    expect((await auth(later.url, supplied.TEND_ADMIN_KEY)).status).toBe(200);
    await later.stop();
  });

  it('refuses to start with a supplied key that is too weak, naming the variable', async () => {
    const run = await tend(['serve', '--data', tempDataDir('tend-cli-weak'), '--port', '0'], { env: { TEND_ADMIN_KEY: 'short' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('tend: TEND_ADMIN_KEY must be 16 to 200 printable ASCII characters without spaces\n');
  });

  it('reads --port, --host and --data from TEND_PORT, TEND_HOST and TEND_DATA', async () => {
    const dataDir = tempDataDir('tend-cli-vars');
    const child = spawn(process.execPath, [cliPath, 'serve'], { env: { ...cleanEnv, TEND_PORT: '0', TEND_HOST: '127.0.0.1', TEND_DATA: dataDir, TEND_LOG_LEVEL: 'error' } });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('Send a first event')) resolve(out);
        });
        child.on('exit', (code) => reject(new Error(`tend serve exited with ${code}: ${out}`)));
      });
      expect(banner).toMatch(/^Tend is listening on http:\/\/127\.0\.0\.1:\d+$/m);
      expect(banner).toContain(`data:  ${dataDir}\n`);
      expect(fs.existsSync(path.join(dataDir, 'keys.json'))).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
