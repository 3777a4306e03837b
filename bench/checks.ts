// npm run bench:checks — Tend's checks at scale: BENCH_CHECKS HTTP checks (default 1,000), each
// every BENCH_INTERVAL_S seconds (10), against a local HTTP server, measured for
// BENCH_DURATION_S seconds (60) after one interval of warm-up. Prints checks/s, schedule lag
// p99 (from the schedule_lag_ms of every stored result), CPU seconds per 1,000 checks and RSS
// of the `tend serve` process. Reference in the same run: Debian's prometheus-blackbox-exporter
// (installed with apt-get when missing and BENCH_INSTALL_BLACKBOX is not 0) probing the same
// targets at the same rate through /probe, for the ratio of CPU per probe. Both make a new
// connection per probe; Tend's figure also covers scheduling and writing every result as an
// event, the exporter's covers answering /probe with Prometheus text.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { CHECKS_DATASET } from '../src/checks/index.js';
import { AuthService } from '../src/auth/index.js';
import { DatasetRegistry, DuckDatabase, DuckEventStore } from '../src/store/index.js';
import { spawnTend } from '../test/support/tend.js';
import { percentile, recordResult, tempDir } from './report.js';

const CHECKS = Number(process.env.BENCH_CHECKS ?? 1000);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 60);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU seconds a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function memory(pid: number): { rssMiB: number; peakRssMiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMiB: Math.round(kb('VmRSS') / 1024), peakRssMiB: Math.round(kb('VmHWM') / 1024) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startTarget(): Promise<{ port: number; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, hits: () => hits, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Phase {
  probes: number;
  probesPerSecond: number;
  cpuSeconds: number;
  cpuSecondsPer1000: number;
  rssMiB: number;
  peakRssMiB: number;
  okShare: number;
}

async function runTend(targetPort: number): Promise<Phase & { lagP50Ms: number; lagP99Ms: number; lagMaxMs: number }> {
  const dataDir = tempDir('bench-checks');
  const config = path.join(dataDir, 'tend.yaml');
  const lines = ['checks:'];
  for (let i = 0; i < CHECKS; i++) {
    lines.push(`  - { name: c${i}, kind: http, url: "http://127.0.0.1:${targetPort}/ok?i=${i}", interval: ${INTERVAL_S}s, timeout: 5s }`);
  }
  fs.writeFileSync(config, lines.join('\n') + '\n');
  const tend = await spawnTend(dataDir, 0, { TEND_CONFIG: config });
  const pid = tend.child.pid!;
  await sleep(INTERVAL_S * 1000); // warm-up: every check's first run falls within one interval
  const fromMs = Date.now();
  const cpu0 = cpuSeconds(pid);
  await sleep(DURATION_S * 1000);
  const cpu = cpuSeconds(pid) - cpu0;
  const toMs = Date.now();
  const mem = memory(pid);
  await tend.stop();

  const db = await DuckDatabase.open(dataDir);
  try {
    const store = await DuckEventStore.open(db);
    const env = (await (await AuthService.open(db)).environment('production'))!;
    const ds = (await (await DatasetRegistry.open(db)).find(env.id, CHECKS_DATASET))!;
    const source = (await store.source([ds.id], fromMs * 1000, toMs * 1000))!;
    const rows = await store.read(
      `SELECT "schedule_lag_ms" AS lag, "ok" AS ok FROM ${source} WHERE epoch_ms("__time") >= $1 AND epoch_ms("__time") < $2 AND "trigger" = 'scheduled'`,
      [fromMs, toMs],
      { timeoutMs: 60_000 },
    );
    const lags = rows.map((r) => Number(r.lag));
    return {
      probes: rows.length,
      probesPerSecond: rows.length / ((toMs - fromMs) / 1000),
      cpuSeconds: cpu,
      cpuSecondsPer1000: (cpu / rows.length) * 1000,
      ...mem,
      okShare: rows.filter((r) => r.ok === true).length / rows.length,
      lagP50Ms: percentile(lags, 50),
      lagP99Ms: percentile(lags, 99),
      lagMaxMs: Math.max(...lags),
    };
  } finally {
    db.close();
  }
}

function blackboxBinary(): string | undefined {
  const find = () => {
    try {
      return execFileSync('which', ['prometheus-blackbox-exporter']).toString().trim() || undefined;
    } catch {
      return undefined;
    }
  };
  if (find() || process.env.BENCH_INSTALL_BLACKBOX === '0') return find();
  try {
    console.log('installing prometheus-blackbox-exporter from Debian ...');
    execFileSync('apt-get', ['install', '-y', 'prometheus-blackbox-exporter'], { stdio: 'ignore', timeout: 300_000 });
  } catch (err) {
    console.log(`could not install prometheus-blackbox-exporter: ${(err as Error).message}`);
  }
  return find();
}

async function runBlackbox(binary: string, targetPort: number): Promise<Phase & { version: string }> {
  const dir = tempDir('bench-blackbox');
  const config = path.join(dir, 'blackbox.yml');
  fs.writeFileSync(config, 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n');
  const port = await freePort();
  const version = execFileSync(binary, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().split('\n')[0];
  const child = spawn(binary, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/-/healthy`)).ok) break;
      } catch {
        if (i > 100) throw new Error('blackbox exporter did not start');
      }
      await sleep(100);
    }
    // Drive /probe like Prometheus would: every target once per interval, spread evenly.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    let ok = 0;
    let done = 0;
    let counting = false;
    const probe = (i: number) => {
      const target = encodeURIComponent(`http://127.0.0.1:${targetPort}/ok?i=${i}`);
      http.get({ host: '127.0.0.1', port, path: `/probe?module=http_2xx&target=${target}`, agent }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          if (!counting) return;
          done++;
          if (/^probe_success 1$/m.test(body)) ok++;
        });
      }).on('error', () => undefined);
    };
    const spacing = (INTERVAL_S * 1000) / CHECKS;
    const started = performance.now();
    let sent = 0;
    let stop = false;
    const drive = async () => {
      while (!stop) {
        const due = started + sent * spacing;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        probe(sent % CHECKS);
        sent++;
      }
    };
    const driving = drive();
    await sleep(INTERVAL_S * 1000);
    counting = true;
    const cpu0 = cpuSeconds(child.pid!);
    const t0 = Date.now();
    await sleep(DURATION_S * 1000);
    const cpu = cpuSeconds(child.pid!) - cpu0;
    const seconds = (Date.now() - t0) / 1000;
    counting = false;
    const mem = memory(child.pid!);
    stop = true;
    await driving;
    agent.destroy();
    return { version, probes: done, probesPerSecond: done / seconds, cpuSeconds: cpu, cpuSecondsPer1000: (cpu / done) * 1000, ...mem, okShare: ok / done };
  } finally {
    child.kill('SIGTERM');
  }
}

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  console.log(`bench:checks — ${CHECKS} HTTP checks every ${INTERVAL_S} s for ${DURATION_S} s (after ${INTERVAL_S} s warm-up)`);
  const target = await startTarget();
  try {
    const tend = await runTend(target.port);
    console.log(
      `tend:     ${round(tend.probesPerSecond, 1)} checks/s, schedule lag p50 ${round(tend.lagP50Ms, 1)} ms, p99 ${round(tend.lagP99Ms, 1)} ms, max ${round(tend.lagMaxMs, 1)} ms; ` +
        `${round(tend.cpuSecondsPer1000)} CPU s per 1,000 checks; RSS ${tend.rssMiB} MiB (peak ${tend.peakRssMiB}); ok ${round(tend.okShare * 100, 2)}%`,
    );
    const binary = blackboxBinary();
    let blackbox: Awaited<ReturnType<typeof runBlackbox>> | undefined;
    if (binary) {
      blackbox = await runBlackbox(binary, target.port);
      console.log(
        `blackbox: ${round(blackbox.probesPerSecond, 1)} probes/s; ${round(blackbox.cpuSecondsPer1000)} CPU s per 1,000 probes; RSS ${blackbox.rssMiB} MiB (peak ${blackbox.peakRssMiB}); ok ${round(blackbox.okShare * 100, 2)}%  (${blackbox.version})`,
      );
      console.log(`ratio:    Tend uses ${round(tend.cpuSecondsPer1000 / blackbox.cpuSecondsPer1000, 2)}x the CPU per probe of blackbox exporter (target: <= 1)`);
    } else {
      console.log('blackbox: prometheus-blackbox-exporter not available; no CPU ratio this run');
    }
    console.log(`targets:  lag p99 ${round(tend.lagP99Ms, 1)} ms (< 1000 ms: ${tend.lagP99Ms < 1000 ? 'met' : 'NOT met'})`);
    recordResult('checks', {
      settings: { checks: CHECKS, intervalSeconds: INTERVAL_S, durationSeconds: DURATION_S },
      tend: Object.fromEntries(Object.entries(tend).map(([k, v]) => [k, round(v)])),
      blackbox: blackbox && { ...Object.fromEntries(Object.entries(blackbox).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v])) },
      cpuPerProbeRatio: blackbox ? round(tend.cpuSecondsPer1000 / blackbox.cpuSecondsPer1000) : null,
    });
  } finally {
    await target.close();
  }
}

await main();
