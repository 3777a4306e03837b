// `tend checks list|apply|run` with the built CLI against `tend serve` started as a child
// process with TEND_CONFIG, and `run` without a server (from tend.yaml, in the CLI process).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startHttpTarget, type HttpTarget } from './support/check-targets.js';
import { cliPath, spawnTend, tempDataDir, type ChildTend } from './support/tend.js';

let web: HttpTarget;
let server: ChildTend;
let configFile: string;

const yaml = (url: string, interval = '1h') => `
checks:
  - { name: api-health, kind: http, url: "${url}/ok", interval: ${interval}, expect: { body_contains: ok } }
  - { name: broken, kind: http, url: "${url}/500", interval: 1h }
  - { name: nightly, kind: heartbeat, period: 1d }
`;

function tend(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env: { ...process.env, TEND_KEY: '', TEND_URL: '', TEND_CONFIG: '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

beforeAll(async () => {
  if (!fs.existsSync(cliPath)) throw new Error('run `npm run build` first');
  web = await startHttpTarget();
  const dataDir = tempDataDir('tend-checks-cli');
  configFile = path.join(tempDataDir('tend-checks-cli-cfg'), 'tend.yaml');
  fs.writeFileSync(configFile, yaml(web.url));
  server = await spawnTend(dataDir, 0, { TEND_CONFIG: configFile });
});
afterAll(async () => {
  await server?.stop();
  await web?.close();
});

const client = () => ['--url', server.url, '--key', server.adminKey];

describe('tend checks', () => {
  it('list shows the checks from tend.yaml with their state and ping path', async () => {
    const r = await tend(['checks', 'list', ...client()]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+STATE\s+MANAGED BY\s+LAST RESULT\s+PING$/);
    expect(lines.find((l) => l.startsWith('api-health'))).toMatch(/^api-health\s+http\s+pending\s+file\s+-/);
    expect(lines.find((l) => l.startsWith('nightly'))).toMatch(/\/ping\/[0-9a-f-]{36}$/);
  });

  it('run prints the result, recorded by the server; a failing check exits with 1', async () => {
    const ok = await tend(['checks', 'run', 'api-health', ...client()]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^api-health: ok {2}\d+ ms {2}status 200 {2}\(recorded by http:/);
    const failed = await tend(['checks', 'run', 'broken', ...client()]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/^broken: FAILED {2}\d+ ms {2}status 500 {2}status 500, expected 2xx or 3xx/);
    const listed = await tend(['checks', 'list', ...client()]);
    expect(listed.out.split('\n').find((l) => l.startsWith('broken'))).toMatch(/failed \d+ ms: status 500/);
    const unknown = await tend(['checks', 'run', 'ghost', ...client()]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/404 no check named "ghost"/);
  });

  it('apply sends the file and prints what changed', async () => {
    fs.writeFileSync(configFile, yaml(web.url, '2h'));
    const r = await tend(['checks', 'apply', '--config', configFile, ...client()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`applied ${configFile} to environment production`);
    expect(r.out).toContain('updated: api-health');
    expect(r.out).toContain('unchanged: broken, nightly');
    expect(r.out).toMatch(/heartbeat nightly: ping http:\S+\/ping\/[0-9a-f-]{36}/);
    fs.writeFileSync(configFile, 'checks:\n  - { name: x, kind: http }\n');
    const bad = await tend(['checks', 'apply', '--config', configFile, ...client()]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/checks\[0\]\.url/);
    fs.writeFileSync(configFile, yaml(web.url, '2h'));
  });

  it('run works without a server, from tend.yaml, saying the result was not recorded', async () => {
    const r = await tend(['checks', 'run', 'api-health', '--url', `http://127.0.0.1:${await closedPort()}`, '--key', 'unused-key-unused', '--config', configFile]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^api-health: ok .*run here from .*not recorded/);
  });
});
