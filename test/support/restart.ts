// What the restart test and bench:restart share: the ingest that is costliest for DuckDB to
// replay from its write-ahead log (wide events of 70 fields spread over 40 days, so every
// commit touches many day tables and many columns), and a timed start of `tend serve`
// measured as an operator sees it: from process start to the first 200 from /healthz.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { cliPath } from './tend.js';
import { seededRandom } from './random.js';

const DAY_MS = 86_400_000;
export const WIDE_FIELDS = 70;
export const WIDE_DAYS = 40;

/** A body of `n` wide events for /1/batch: 20 strings, 25 integers, 20 floats, 5 booleans each. */
export function wideBatch(n: number, seed: number): string {
  const random = seededRandom(seed);
  const now = Date.now();
  const events = Array.from({ length: n }, () => {
    const data: Record<string, string | number | boolean> = {};
    for (let f = 0; f < 20; f++) data[`s${f}`] = `v-${f}-${random.int(0, f < 5 ? 200_000 : 300)}`;
    for (let f = 0; f < 25; f++) data[`i${f}`] = random.int(0, 10 ** (1 + (f % 9)));
    for (let f = 0; f < 20; f++) data[`f${f}`] = random.next() * 1000;
    for (let f = 0; f < 5; f++) data[`b${f}`] = random.next() < 0.5;
    return { time: new Date(now - random.int(0, WIDE_DAYS * DAY_MS - 60_000)).toISOString(), data };
  });
  return JSON.stringify(events);
}

/**
 * Posts wide batches over `connections` keep-alive connections for `ms`. Returns the events
 * acknowledged; a 429 is waited out, anything else but 200 is an error.
 */
export async function ingestWide(url: string, key: string, ms: number, connections = 4, batch = 500): Promise<number> {
  const bodies = Array.from({ length: 16 }, (_, i) => wideBatch(batch, i + 1));
  const until = Date.now() + ms;
  let acked = 0;
  const worker = async (w: number) => {
    for (let i = w; Date.now() < until; i += connections) {
      const res = await fetch(`${url}/1/batch/wide`, {
        method: 'POST',
        headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' },
        body: bodies[i % bodies.length],
      });
      const text = await res.text();
      if (res.status === 429) await new Promise((r) => setTimeout(r, 50));
      else if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${text.slice(0, 200)}`);
      else acked += batch;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  return acked;
}

/** Sizes of the database file and its write-ahead log, in bytes (0 when absent). */
export function storeFiles(dataDir: string): { db: number; wal: number } {
  const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  const file = path.join(dataDir, 'tend.duckdb');
  return { db: size(file), wal: size(`${file}.wal`) };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TimedTend {
  child: ChildProcess;
  url: string;
  /** Milliseconds from spawning the process to the first 200 from /healthz. */
  startMs: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
}

/** Starts `tend serve` on the folder and waits for /healthz, polling every 10 ms. */
export async function timedStart(dataDir: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<TimedTend> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, [cliPath, 'serve', '--data', dataDir, '--port', String(port), '--grpc-port', 'off', '--log-level', 'error'], {
    env: { ...process.env, TEND_INGEST_KEY: '', TEND_ADMIN_KEY: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) return { child, url, startMs: performance.now() - t0, exited, stderr: () => stderr };
    if (performance.now() - t0 > timeoutMs) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  throw new Error(`tend serve did not answer /healthz within ${timeoutMs} ms (exited: ${done}):\n${stderr}`);
}

/** The keys the first start wrote. */
export function keysOf(dataDir: string): { ingest: string; admin: string } {
  const k = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8'));
  return { ingest: k.ingest_key, admin: k.admin_key };
}
