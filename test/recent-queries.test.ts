// Recent queries kept on the server per person and environment: newest first, a query run again
// moves to the top, 20 kept, another person sees only theirs, bad bodies get a 400 naming the
// field, and keys (which are not people) are told to sign in; `tend recent-queries` prints them
// for the person signed in with `tend login`.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tend } from '../src/server/index.js';
import { cleanEnv } from './support/cli.js';
import { Browser, OWNER, startWithOwner } from './support/people.js';
import { tempDataDir } from './support/tend.js';

let tend: Tend;
let owner: Browser;
let other: Browser;
const OTHER = { email: 'other@example.com', password: 'velvet harbor comet 31' };
const count = (n: number) => ({ calculations: [{ op: 'COUNT' }], time_range: 60 * (n + 1) });

beforeAll(async () => {
  tend = await startWithOwner();
  await tend.people.create({ email: OTHER.email, password: OTHER.password, roles: { production: 'viewer' } });
  owner = new Browser(tend.url);
  other = new Browser(tend.url);
  expect((await owner.login(OWNER.email, OWNER.password)).status).toBe(200);
  expect((await other.login(OTHER.email, OTHER.password)).status).toBe(200);
}, 30_000);
afterAll(() => tend?.close());

describe('recent queries', () => {
  it('keeps the newest 20 per person, a repeated query moving to the top', async () => {
    for (let n = 0; n < 22; n++) expect((await owner.request('POST', '/api/v1/ui/recent-queries', { dataset: 'app', spec: count(n) })).status).toBe(201);
    const again = await owner.request('POST', '/api/v1/ui/recent-queries', { dataset: 'app', spec: count(5) });
    expect(again.body.recent).toHaveLength(20);
    const listed = (await owner.request('GET', '/api/v1/ui/recent-queries')).body.recent as { dataset: string; spec: { time_range: number }; at: string }[];
    expect(listed).toEqual(again.body.recent);
    // 5 first, then 21 down to 3 (0, 1 and 2 were the oldest past 20), 5 only once.
    expect(listed.map((q) => q.spec.time_range / 60 - 1)).toEqual([5, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 4, 3, 2]);
    expect(listed[0]).toMatchObject({ dataset: 'app', spec: { calculations: [{ op: 'COUNT' }], time_range: 360 } });
    expect((await other.request('GET', '/api/v1/ui/recent-queries')).body.recent).toEqual([]);
  });

  it('refuses bad bodies naming the field, and keys', async () => {
    const bad = async (body: unknown) => (await owner.request('POST', '/api/v1/ui/recent-queries', body)).body.error as string;
    expect(await bad({ spec: {} })).toMatch(/^dataset: /);
    expect(await bad({ dataset: 'app', spec: { calculations: [{ op: 'P99' }] } })).toBe('spec.calculations[0].column: P99 needs a column');
    expect(await bad({ dataset: 'app', spec: {}, extra: 1 })).toMatch(/extra/);
    const key = JSON.parse(fs.readFileSync(path.join(tend.config.dataDir, 'keys.json'), 'utf8')).admin_key;
    const res = await fetch(`${tend.url}/api/v1/ui/recent-queries`, { headers: { 'x-honeycomb-team': key } });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('recent queries belong to people: sign in (a key has none)');
  });

  it('prints them with tend recent-queries as the person signed in with tend login', async () => {
    // The session `tend login` would have saved (the CLI's own test covers tend login itself).
    const configDir = tempDataDir('tend-cli-config');
    fs.writeFileSync(path.join(configDir, 'session.json'), JSON.stringify({ url: tend.url, email: OWNER.email, token: owner.cookie!.split('=')[1], csrf: owner.csrf }));
    const run = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'recent-queries', ...args], { env: { ...cleanEnv, TEND_CONFIG_DIR: configDir } });
    const listed = (await owner.request('GET', '/api/v1/ui/recent-queries')).body;
    expect(JSON.parse((await run('--json')).stdout)).toEqual(listed);
    const table = (await run()).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^AT\s+DATASET\s+QUERY$/);
    expect(table[1]).toBe(`${listed.recent[0].at}  app      ${JSON.stringify(listed.recent[0].spec)}`);
  }, 30_000);
});
