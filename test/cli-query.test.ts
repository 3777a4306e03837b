// `tend query` as a real child process against a Tend started in this process.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startTestTend, type TestTend } from './support/tend.js';

const run = promisify(execFile);
let t: TestTend;
const T0 = Date.parse('2026-11-20T10:00:00Z') / 1000;

beforeAll(async () => {
  t = await startTestTend();
  // /slow gets busier through the hour: 1 event in the first 10 minutes, 6 in the last.
  const batch: object[] = [];
  for (let slot = 0; slot < 6; slot++) {
    for (let k = 0; k <= slot; k++) batch.push({ time: new Date((T0 + slot * 600 + k) * 1000).toISOString(), data: { endpoint: '/slow', status_code: 500, duration_ms: 100 * (k + 1) } });
    batch.push({ time: new Date((T0 + slot * 600 + 30) * 1000).toISOString(), data: { endpoint: '/fast', status_code: 200, duration_ms: 5 } });
  }
  const res = await fetch(`${t.url}/1/batch/api`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: JSON.stringify(batch) });
  expect(res.status).toBe(200);
});
afterAll(async () => t?.close());

const tend = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/index.ts'), 'query', ...args, '--url', t.url, '--key', t.adminKey], { cwd: repoRoot });
const window = ['--start', '2026-11-20T10:00:00Z', '--end', '2026-11-20T11:00:00Z', '--granularity', '10m'];

describe('tend query', () => {
  it('prints one row per group with its calculations and a sparkline of its series', async () => {
    const { stdout } = await tend('api', '--calc', 'COUNT', '--calc', 'MAX(duration_ms)', '--by', 'endpoint', ...window);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^endpoint\s+COUNT\s+MAX\(duration_ms\)\s+COUNT over time$/);
    expect(lines[1]).toMatch(/^\/slow\s+21\s+600\s+▂▃▅▆▇█$/);
    expect(lines[2]).toMatch(/^\/fast\s+6\s+5\s+██████$/);
    expect(lines[3]).toBe('2 groups, 2026-11-20T10:00Z to 2026-11-20T11:00Z by 600s, 27 events read in ' + /\d+/.exec(lines[3].split('read in ')[1])![0] + ' ms');
  });

  it('sends filters, havings and orders as the flags say', async () => {
    const { stdout } = await tend('api', '--calc', 'P50(duration_ms)', '--where', 'status_code >= 500', '--where', 'endpoint in /slow,/other', '--by', 'endpoint', '--having', 'COUNT > 0', '--calc', 'COUNT', ...window);
    expect(stdout.split('\n')[1]).toMatch(/^\/slow\s+2\d\d(\.\d+)?\s+21\s/);
    expect(stdout).not.toMatch(/\/fast/);
  });

  it('prints the server answer with --json', async () => {
    const { stdout } = await tend('api', '--calc', 'COUNT', ...window, '--json');
    const answer = JSON.parse(stdout);
    expect(answer.query).toMatchObject({ calculations: [{ op: 'COUNT' }], granularity: 600, start_time: T0, end_time: T0 + 3600 });
    expect(answer.data.results).toEqual([{ data: { COUNT: 27 } }]);
    expect(answer.data.series.map((p: { data: { COUNT: number } }) => p.data.COUNT)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('fails with a message naming the flag or the server error', async () => {
    await expect(tend('api', '--where', 'status_code')).rejects.toMatchObject({ stderr: expect.stringMatching(/--where "status_code": write COLUMN OP VALUE/) });
    await expect(tend('api', '--calc', 'SUM(endpoint)', ...window)).rejects.toMatchObject({ stderr: expect.stringMatching(/400 calculations\[0\]\.column: "endpoint" holds string values/) });
  });
});
