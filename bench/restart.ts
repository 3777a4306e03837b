// npm run bench:restart — how long `tend serve` takes to start (process start to /healthz 200)
// against the size of the write-ahead log it must replay, with background checkpoints off and
// at their defaults, after BENCH_SECONDS (20) of the ingest costliest to replay (70-field
// events over 40 days, 4 connections) and a kill -9; then a clean stop (SIGTERM) and the start
// after it. The reference, measured in the same run: a start on a fresh data folder.
// Settings (env): BENCH_SECONDS (20).
import { ingestWide, keysOf, storeFiles, timedStart } from '../test/support/restart.js';
import { recordResult, tempDir } from './report.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const OFF = { TEND_CHECKPOINT_AFTER_WRITES: '0', TEND_CHECKPOINT_WAL_MB: '0', TEND_CHECKPOINT_INTERVAL: '0' };
const MiB = 2 ** 20;

async function scenario(label: string, env: NodeJS.ProcessEnv) {
  const dir = tempDir('bench-restart');
  let tend = await timedStart(dir, env);
  const t0 = performance.now();
  const acked = await ingestWide(tend.url, keysOf(dir).ingest, SECONDS * 1000);
  const eventsPerSecond = acked / ((performance.now() - t0) / 1000);
  tend.child.kill('SIGKILL');
  await tend.exited;
  const log = storeFiles(dir);
  tend = await timedStart(dir, env);
  const killStartMs = tend.startMs;
  const s0 = performance.now();
  tend.child.kill('SIGTERM');
  await tend.exited;
  const stopMs = performance.now() - s0;
  const walAfterStop = storeFiles(dir).wal;
  tend = await timedStart(dir, env);
  const cleanStartMs = tend.startMs;
  tend.child.kill('SIGKILL');
  await tend.exited;
  const row = { label, eventsPerSecond: Math.round(eventsPerSecond), walMiB: log.wal / MiB, dbMiB: log.db / MiB, killStartMs, msPerWalMiB: log.wal ? killStartMs / (log.wal / MiB) : null, stopMs, walAfterStop, cleanStartMs };
  console.log(
    `${label.padEnd(22)} ${row.eventsPerSecond} events/s, log ${row.walMiB.toFixed(1)} MiB -> start after kill -9 ${killStartMs.toFixed(0)} ms; ` +
      `SIGTERM stop ${stopMs.toFixed(0)} ms (log left ${walAfterStop} B) -> next start ${cleanStartMs.toFixed(0)} ms`,
  );
  return row;
}

const fresh = await timedStart(tempDir('bench-restart-fresh'));
const referenceMs = fresh.startMs;
fresh.child.kill('SIGKILL');
await fresh.exited;
console.log(`reference: start on a fresh data folder ${referenceMs.toFixed(0)} ms`);
const off = await scenario('checkpoints off', OFF);
const on = await scenario('checkpoints (defaults)', {});
console.log(`ratios: start after kill -9, off / on = ${(off.killStartMs / on.killStartMs).toFixed(2)}; on / fresh = ${(on.killStartMs / referenceMs).toFixed(2)}; ingest on / off = ${(on.eventsPerSecond / off.eventsPerSecond).toFixed(2)}`);
recordResult('restart', { seconds: SECONDS, referenceMs, scenarios: [off, on] });
