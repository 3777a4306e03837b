// `npm run fuzz`: 100,000 random requests to every query-like route, over single datasets and
// `__all__` (test/support/query-fuzz.ts has the generator; CI runs a quick set of it in
// test/query-fuzz.test.ts). Tend runs in this process on a fresh data folder. Prints the
// answers by route and status, and every request that got a 5xx or a 4xx not naming its field,
// and exits 1 if there was one. Options: --cases N (default 100000), --seed S.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { injector, runFuzz, seedFuzzData } from '../test/support/query-fuzz.js';
import { startTestTend } from '../test/support/tend.js';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '100000' }, seed: { type: 'string', default: String(Date.now() % 1_000_000) } } });
const cases = Number(values.cases);
const seed = Number(values.seed);
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed)) throw new Error('--cases and --seed take whole numbers');

const t = await startTestTend();
try {
  await seedFuzzData(async (dataset, events) => {
    const res = await fetch(`${t.url}/1/batch/${dataset}`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: JSON.stringify(events) });
    return res.status;
  });
  const started = performance.now();
  console.log(`query fuzz: ${cases.toLocaleString('en')} cases, seed ${seed} (rerun with --seed ${seed})`);
  const report = await runFuzz(injector(t.tend.app, t.adminKey), cases, seed, (done) => {
    if (done % 10_000 === 0 || done === cases) console.log(`  ${done.toLocaleString('en')} cases, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  });
  console.log(`\n${report.requests.toLocaleString('en')} requests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const [route, statuses] of Object.entries(report.statuses)) {
    console.log(`  ${route.padEnd(14)} ${Object.entries(statuses).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
  }
  const serverErrors = report.failures.filter((f) => f.answer.status >= 500).length;
  console.log(`\n5xx answers: ${serverErrors}; 4xx answers not naming the field: ${report.failures.length - serverErrors}`);
  for (const f of report.failures.slice(0, 20)) console.log(`\n${f.answer.status} ${f.answer.body.slice(0, 300)}\n  ${f.request.method} ${f.request.url.slice(0, 200)} ${JSON.stringify(f.request.body ?? null).slice(0, 1000)}`);
  process.exitCode = report.failures.length ? 1 : 0;
} finally {
  await t.close();
  fs.rmSync(t.dataDir, { recursive: true, force: true });
}
