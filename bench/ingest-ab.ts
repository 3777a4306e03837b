// npm run bench:ingest-ab — several builds (or settings) of Tend on the same /1/batch load,
// taking turns, for a before/after of a write-path change on a machine other work may share:
// each round runs every variant in order on a fresh data folder and reports events/s, batch p99
// and the server's CPU time per event (from /proc, all threads), which other work distorts far
// less than the rates. Ratios are against the first variant of the same round.
// BENCH_BUILDS: space-separated `name=cli` or `name=cli+NAME=value+...`, where cli is a build's
// dist/cli/index.js (e.g. `git archive <commit> | tar -x -C dir`, then
// `npx tsc -p tsconfig.build.json` there) and NAME=value sets the server's environment, e.g.
// `BENCH_BUILDS="before=/tmp/a/dist/cli/index.js now=dist/cli/index.js wal128=dist/cli/index.js+TEND_CHECKPOINT_WAL_MB=128"`.
// BENCH_A_CLI alone (the older form) compares that build with this checkout's.
// BENCH_EVENTS (200,000), BENCH_ROUNDS (3).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { generateEvents } from './generator.js';
import { httpPoster, sendAll } from './load.js';
import { percentile, recordResult, tempDir } from './report.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Variant {
  name: string;
  cli: string;
  env: Record<string, string>;
}

function variants(): Variant[] {
  const spec = process.env.BENCH_BUILDS ?? (process.env.BENCH_A_CLI ? `A=${process.env.BENCH_A_CLI} B=dist/cli/index.js` : '');
  const list = spec.split(/\s+/).filter(Boolean).map((item) => {
    const [head, ...settings] = item.split('+');
    const [name, cli] = head.split('=');
    return { name, cli: path.resolve(cli), env: Object.fromEntries(settings.map((s) => s.split('=') as [string, string])) };
  });
  if (list.length < 2) throw new Error('set BENCH_BUILDS to two or more name=dist/cli/index.js[+NAME=value] (or BENCH_A_CLI)');
  for (const v of list) if (!fs.existsSync(v.cli)) throw new Error(`${v.name}: no build at ${v.cli}`);
  return list;
}

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function run(variant: Variant, bodies: Buffer[]) {
  const dir = tempDir('bench-ab');
  const child = spawn(process.execPath, [variant.cli, 'serve', '--data', dir, '--port', '0', '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TEND_INGEST_KEY: '', TEND_ADMIN_KEY: '', TEND_GRPC_PORT: 'off', ...variant.env },
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
  return { eventsPerSecond: TOTAL / r.seconds, p50Ms: percentile(r.latencies, 50), p99Ms: percentile(r.latencies, 99), cpuUsPerEvent: cpuUs };
}

const list = variants();
const bodies = Array.from({ length: Math.ceil(TOTAL / 1000) }, (_, b) => Buffer.from(JSON.stringify(generateEvents(b * 1000, 1000).map((data) => ({ data })))));
const rounds: Record<string, Awaited<ReturnType<typeof run>>>[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const round: Record<string, Awaited<ReturnType<typeof run>>> = {};
  for (const v of list) round[v.name] = await run(v, bodies);
  rounds.push(round);
  const first = round[list[0].name];
  for (const v of list) {
    const x = round[v.name];
    console.log(
      `round ${i + 1} ${v.name.padEnd(10)} ${Math.round(x.eventsPerSecond).toLocaleString().padStart(8)}/s  p50 ${x.p50Ms.toFixed(0).padStart(4)} ms  p99 ${x.p99Ms.toFixed(0).padStart(5)} ms  ` +
        `CPU ${x.cpuUsPerEvent.toFixed(2)} µs/event  rate / ${list[0].name} ${(x.eventsPerSecond / first.eventsPerSecond).toFixed(2)}`,
    );
  }
}
recordResult('ingest-ab', { events: TOTAL, variants: list, rounds });
