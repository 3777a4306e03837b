// npm run bench:flood — what a flood of ingest costs `tend serve` in memory and in liveness:
// the flood of test/overload.test.ts (96 clients posting ~300 KB batches of 500 events, straight
// back after a 429, against a 5,000-event queue) until FLOOD_MB have been sent, while a separate
// process probes /healthz every 100 ms. Prints, per run: RSS growth over the warm baseline, the
// V8 heap's peak, the answers, /healthz p50/p99/max against issue 18's 50 ms p99, the server's
// own event-loop delay over the flood (bench/server-loop-delay.mjs), accepted events per second
// and the server's CPU time (all threads) per accepted event. Issue 18's shape of the flood:
// FLOOD_CLIENTS=50 FLOOD_QUEUE=20000.
// Settings (env): FLOOD_RUNS (1), FLOOD_CLIENTS (96), FLOOD_MB (600), FLOOD_QUEUE (5000),
// FLOOD_SERVER_ENV (more variables for the server, "NAME=value NAME=value", e.g. NODE_OPTIONS=--trace-gc),
// FLOOD_STOP (SIGKILL; SIGTERM for a clean stop, e.g. with NODE_OPTIONS=--cpu-prof).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, spawnTend, tempDataDir } from '../test/support/tend.js';
import { batchBody, FLOOD_BATCH_EVENTS } from '../test/support/flood-batch.js';
import { percentile, recordResult } from './report.js';

const RUNS = Number(process.env.FLOOD_RUNS ?? 1);
const CLIENTS = Number(process.env.FLOOD_CLIENTS ?? 96);
const FLOOD_BYTES = Number(process.env.FLOOD_MB ?? 600) * 1024 ** 2;
const QUEUE = Number(process.env.FLOOD_QUEUE ?? 5000);
const BATCH_EVENTS = FLOOD_BATCH_EVENTS;
const MiB = 1024 ** 2;
/** Issue 18 item 7: /healthz p99 during a flood. */
const HEALTHZ_P99_TARGET_MS = 50;
const loopDelayPreload = path.join(repoRoot, 'bench/server-loop-delay.mjs');

/** User + system CPU seconds of a process, all its threads (/proc/PID/stat, in clock ticks of 1/100 s). */
const cpuSeconds = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const rss = (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

async function run(): Promise<Record<string, number | string>> {
  const loopDelayFile = path.join(tempDataDir('bench-flood-loop'), 'delay.jsonl');
  const extraEnv: Record<string, string> = Object.fromEntries((process.env.FLOOD_SERVER_ENV ?? '').split(' ').filter(Boolean).map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
  const server = await spawnTend(tempDataDir('bench-flood'), 0, {
    TEND_MAX_QUEUED_EVENTS: String(QUEUE),
    TEND_LOOP_DELAY_FILE: loopDelayFile,
    ...extraEnv,
    NODE_OPTIONS: `${extraEnv.NODE_OPTIONS ?? ''} --import ${loopDelayPreload}`,
  });
  const pid = server.child.pid!;
  const headers = { 'x-honeycomb-team': server.ingestKey, 'content-type': 'application/json' };
  const post = (body: string) => fetch(`${server.url}/1/batch/flood`, { method: 'POST', headers, body });
  try {
    await (await post(batchBody(-BATCH_EVENTS))).arrayBuffer();
    const baseline = rss(pid);
    let peak = baseline;
    let heapPeak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 20);
    let sampling = true;
    const heapSampler = (async () => {
      while (sampling) {
        const text = await fetch(`${server.url}/metrics`, { headers }).then((r) => r.text(), () => '');
        heapPeak = Math.max(heapPeak, Number(/^tend_process_heap_bytes (\d+)/m.exec(text)?.[1] ?? 0));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const prober = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/support/health-prober.ts'), server.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    prober.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const proberExited = new Promise((resolve) => prober.once('exit', resolve));
    await new Promise<void>((resolve) => prober.stdout.once('data', () => resolve()));

    const statuses: Record<number, number> = {};
    let sent = 0;
    let seq = 0;
    server.child.kill('SIGUSR2'); // the loop delay recorded from here
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (sent < FLOOD_BYTES) {
          const body = batchBody(seq);
          seq += BATCH_EVENTS;
          sent += body.length;
          const res = await post(body).catch(() => undefined);
          await res?.arrayBuffer();
          statuses[res?.status ?? 0] = (statuses[res?.status ?? 0] ?? 0) + 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuBefore;
    server.child.kill('SIGUSR2');
    clearInterval(sampler);
    sampling = false;
    await heapSampler;
    prober.kill('SIGTERM');
    await proberExited;
    const report = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as { healthz: { ms: number; connectMs: number }[]; ownDelayMs: { p99: number; max: number } };
    const seen = report.healthz;
    const probes = seen.map((p) => p.ms);
    const connects = seen.map((p) => p.connectMs);
    const accepted = (statuses[200] ?? 0) * BATCH_EVENTS;
    const loopDelay = await lastLine(loopDelayFile, 2);
    return {
      node: process.version,
      seconds: Math.round(seconds * 10) / 10,
      baselineMiB: baseline / MiB,
      growthMiB: Math.round((peak - baseline) / MiB),
      heapPeakMiB: Math.round(heapPeak / MiB),
      answers: JSON.stringify(statuses),
      accepted,
      eventsPerSecond: Math.round(accepted / seconds),
      cpuUsPerEvent: Math.round((cpu * 1e6) / accepted),
      healthzP50: Math.round(percentile(probes, 50)),
      healthzP99: Math.round(percentile(probes, 99)),
      healthzMax: Math.round(Math.max(...probes)),
      healthzP99Target: `${HEALTHZ_P99_TARGET_MS} ms: ${percentile(probes, 99) <= HEALTHZ_P99_TARGET_MS ? 'met' : 'NOT met'}`,
      // How late the server's own loop ran timers during the flood (ms): a probe waits about one or two such turns.
      serverLoopDelayP50: loopDelay.p50,
      serverLoopDelayP99: loopDelay.p99,
      serverLoopDelayMax: loopDelay.max,
      // Until the kernel completed the probe's TCP handshake; the rest includes waiting in the
      // listen queue for Tend to accept it, which libuv does one connection per loop turn.
      healthzConnectP99: Math.round(percentile(connects, 99)),
      healthzConnectMax: Math.round(Math.max(...connects)),
      // The prober's own event-loop delay: latency the machine adds before any server could answer.
      proberDelayP99: Math.round(report.ownDelayMs.p99),
      proberDelayMax: Math.round(report.ownDelayMs.max),
    };
  } finally {
    // FLOOD_STOP=SIGTERM stops it cleanly, so a server run with --cpu-prof writes its profile.
    await server.stop((process.env.FLOOD_STOP ?? 'SIGKILL') as NodeJS.Signals);
  }
}

/** The `count`-th line of a file the server appends to, once it is there (it writes on a signal, when its loop gets round to it). */
async function lastLine(file: string, count: number): Promise<{ p50: number; p99: number; max: number }> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
    if (lines.length >= count) return JSON.parse(lines[count - 1]) as { p50: number; p99: number; max: number };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server wrote no event-loop delay to ${file}`);
}

const runs = [];
for (let i = 0; i < RUNS; i++) {
  const r = await run();
  console.log(JSON.stringify(r));
  runs.push(r);
}
recordResult(`flood-node${process.versions.node.split('.')[0]}`, { clients: CLIENTS, floodMiB: FLOOD_BYTES / MiB, queueEvents: QUEUE, runs });
