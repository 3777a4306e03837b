// Property: for generated route trees and label sets, the receivers Tend's route tree picks
// equal what Alertmanager's own `amtool config routes test` prints for the same tree (Debian's
// prometheus-alertmanager). Each amtool run is a process, so runs go several at a time.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRoute, matchRoutes, type RouteConfig } from '../src/alerts/index.js';

const run = promisify(execFile);
/** Route trees generated (12 label sets each); ALERTS_ROUTE_TREES=200 makes the long run of 2,400 comparisons. */
const TREES = Number(process.env.ALERTS_ROUTE_TREES ?? 30);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const NAMES = ['service', 'severity', 'team'];
const VALUES = ['api', 'web', 'critical', 'warning', ''];
const RECEIVERS = ['r0', 'r1', 'r2', 'r3'];

const matcher = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom('=', '!=', '=~', '!~'), fc.constantFrom('api', 'web', 'critical', 'api|web', 'w.*', '.*', '')).map(([n, op, v]) => `${n}${op}"${v}"`);

const route: fc.Memo<RouteConfig> = fc.memo((depth: number) =>
  fc.record(
    {
      receiver: fc.constantFrom(...RECEIVERS),
      matchers: fc.array(matcher, { maxLength: 2 }),
      continue: fc.boolean(),
      routes: depth > 1 ? fc.array(route(depth - 1), { maxLength: 3 }) : fc.constant([]),
    },
    { requiredKeys: ['matchers', 'continue', 'routes'] },
  ),
);

const labelSet = fc.record(Object.fromEntries(NAMES.map((n) => [n, fc.constantFrom(...VALUES)]))).map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== '')));

async function amtool(file: string, labels: Record<string, string>): Promise<string> {
  const args = ['config', 'routes', 'test', `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
  const { stdout } = await run('amtool', args);
  return stdout.trim();
}

describe('route tree against amtool config routes test', () => {
  it('picks the same receivers for generated trees and label sets', async () => {
    const cases = fc.sample(fc.tuple(route(3), fc.array(labelSet, { minLength: 12, maxLength: 12 })), { numRuns: TREES, seed: 20261130 });
    const jobs: { file: string; labels: Record<string, string>; tend: string }[] = [];
    cases.forEach(([child, sets], i) => {
      const tree: RouteConfig = { receiver: 'root', routes: [child, ...(child.routes ?? [])] };
      const file = path.join(dir, `am-${i}.yml`);
      fs.writeFileSync(file, stringify({ route: tree, receivers: ['root', ...RECEIVERS].map((name) => ({ name })) }));
      const built = buildRoute(tree);
      for (const labels of sets) jobs.push({ file, labels, tend: matchRoutes(built, labels).map((r) => r.receiver).join(',') });
    });
    const mismatches: string[] = [];
    const next = jobs.entries();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (const [, job] of next) {
          const am = await amtool(job.file, job.labels);
          if (am !== job.tend) mismatches.push(`${job.file} ${JSON.stringify(job.labels)}: amtool ${am}, tend ${job.tend}`);
        }
      }),
    );
    expect(jobs.length).toBe(TREES * 12);
    expect(mismatches).toEqual([]);
  }, 120_000);
});
