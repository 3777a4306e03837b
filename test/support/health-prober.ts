// A separate process that probes Tend the way a load balancer or watchdog does: a new
// connection for each GET /healthz every 100 ms, and GET /readyz every 500 ms, until SIGTERM;
// then prints what it saw as one JSON line. Run: node --import tsx health-prober.ts <url>.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const url = process.argv[2];
const agent = new http.Agent({ keepAlive: false });
/**
 * ms: the whole probe; connectMs: until the kernel completed the TCP handshake (the rest is Tend
 * accepting, reading and answering); atMs: when it started, after the prober printed "probing".
 */
const healthz: { ms: number; connectMs: number; status: number; atMs: number }[] = [];
const origin = performance.now();
const readyz: { status: number; reason?: string }[] = [];
let running = true;
/** The prober's own event-loop delay: how late it got to run, which no server can answer faster than. */
const ownDelay = monitorEventLoopDelay({ resolution: 5 });
ownDelay.enable();

function get(path: string): Promise<{ ms: number; connectMs: number; status: number; body: string }> {
  const started = performance.now();
  let connectMs = NaN;
  return new Promise((resolve) => {
    const req = http.get(`${url}${path}`, { agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ ms: performance.now() - started, connectMs, status: res.statusCode ?? 0, body }));
    });
    req.once('socket', (socket) => socket.once('connect', () => (connectMs = performance.now() - started)));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ms: performance.now() - started, connectMs, status: 0, body: '' }));
  });
}

async function every(ms: number, probe: () => Promise<void>): Promise<void> {
  while (running) {
    const started = performance.now();
    await probe();
    await new Promise((r) => setTimeout(r, Math.max(0, ms - (performance.now() - started))));
  }
}

const loops = [
  every(100, async () => {
    const atMs = performance.now() - origin;
    const r = await get('/healthz');
    healthz.push({ ms: r.ms, connectMs: r.connectMs, status: r.status, atMs });
  }),
  every(500, async () => {
    const r = await get('/readyz');
    readyz.push({ status: r.status, reason: r.status === 503 ? (JSON.parse(r.body) as { reason: string }).reason : undefined });
  }),
];
process.once('SIGTERM', () => {
  running = false;
  void Promise.all(loops).then(() => process.stdout.write(JSON.stringify({ healthz, readyz, ownDelayMs: { p99: ownDelay.percentile(99) / 1e6, max: ownDelay.max / 1e6 } }) + '\n'));
});
process.stdout.write('probing\n');
