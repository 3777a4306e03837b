// npm run bench:ingest-ab — two builds of Tend on the same /1/batch load, taking turns, for a
// before/after of a write-path change on a machine other work shares: each round runs A then B
// on fresh data folders and reports events/s, batch p99 and the server's CPU time per event
// (from /proc, all threads), which that other work distorts far less than the rates.
// BENCH_A_CLI: the other build's dist/cli/index.js (e.g. `git archive <commit> | tar -x -C dir`,
// `npx tsc -p tsconfig.build.json` there); B is this checkout's. BENCH_EVENTS (200,000), BENCH_ROUNDS (3).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateEvents } from './generator.js';
import { httpPoster, sendAll } from './load.js';
import { percentile, recordResult, tempDir } from './report.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLI = { A: process.env.BENCH_A_CLI ?? '', B: path.resolve('dist/cli/index.js') };
if (!fs.existsSync(CLI.A)) throw new Error('set BENCH_A_CLI to the dist/cli/index.js of the build to compare with');

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function run(cli: string, bodies: Buffer[]) {
  const dir = tempDir('bench-ab');
  const child = spawn(process.execPath, [cli, 'serve', '--data', dir, '--port', '0', '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TEND_INGEST_KEY: '', TEND_ADMIN_KEY: '', TEND_GRPC_PORT: 'off' },
  });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      const m = /listening on (http:\/\/\S+)/.exec((out += c.toString()));
      if (m) resolve(m[1]);
    });
  });
  const key = (JSON.parse(fs.readFileSync(path.join(dir, 'keys.json'), 'utf8')) as { ingest_key: string }).ingest_key;
  const post = httpPoster(`${url}/1/batch/bench`, { 'x-honeycomb-team': key, 'content-type': 'application/json' }, 4);
  const cpu0 = cpuSeconds(child.pid!);
  const r = await sendAll(bodies, 4, async (body) => ((await post(body)).status === 429 ? 'retry' : 'done'));
  const cpuUs = ((cpuSeconds(child.pid!) - cpu0) * 1e6) / TOTAL;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  fs.rmSync(dir, { recursive: true, force: true });
  return { eventsPerSecond: TOTAL / r.seconds, p99Ms: percentile(r.latencies, 99), cpuUsPerEvent: cpuUs };
}

const bodies = Array.from({ length: Math.ceil(TOTAL / 1000) }, (_, b) => Buffer.from(JSON.stringify(generateEvents(b * 1000, 1000).map((data) => ({ data })))));
const rounds: Record<'A' | 'B', Awaited<ReturnType<typeof run>>>[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const a = await run(CLI.A, bodies);
  const b = await run(CLI.B, bodies);
  rounds.push({ A: a, B: b });
  const show = (x: typeof a) => `${Math.round(x.eventsPerSecond).toLocaleString()}/s p99 ${x.p99Ms.toFixed(0)} ms CPU ${x.cpuUsPerEvent.toFixed(2)} µs/event`;
  console.log(`round ${i + 1}: A ${show(a)} | B ${show(b)} | B/A rate ${(b.eventsPerSecond / a.eventsPerSecond).toFixed(2)}, A/B CPU ${(a.cpuUsPerEvent / b.cpuUsPerEvent).toFixed(2)}`);
}
recordResult('ingest-ab', { events: TOTAL, a: CLI.A, b: CLI.B, rounds });
