// npm run bench:alerts — three figures from issue 11, item 10, each against a `tend serve`
// child process (and Debian's Alertmanager 0.25 for the last), all in the same run:
//  (a) a check's state change to the webhook receiver holding the notification, group_wait 0:
//      p50/p99 over BENCH_FLIPS flips (200) of a TCP check run through the API;
//  (b) BENCH_TRIGGERS triggers (1,000) over 20 datasets holding BENCH_TRIGGER_EVENTS events
//      (1,000,000 by default; the figure is 10,000,000), windows 5 to 60 minutes,
//      frequency 60 s, for BENCH_TRIGGER_MINUTES minutes (2; the is 10): evaluation lag
//      and duration from tend.trigger_runs, and the CPU the process used meanwhile;
//  (c) BENCH_PUSH_ALERTS alerts (10,000) pushed through /api/v2/alerts by 10 clients in batches
//      of 100, to Tend and to prometheus-alertmanager receiving the same pushes: alerts/s each,
//      for alerts never seen (they fire) and for the same alerts pushed again (a refresh), the
//      median of BENCH_PUSH_ROUNDS (5) rounds after one warm-up push.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { spawnTend, type ChildTend } from '../test/support/tend.js';
import { median, percentile, recordResult, tempDir } from './report.js';

const FLIPS = Number(process.env.BENCH_FLIPS ?? 200);
const TRIGGERS = Number(process.env.BENCH_TRIGGERS ?? 1000);
const TRIGGER_EVENTS = Number(process.env.BENCH_TRIGGER_EVENTS ?? 1_000_000);
const TRIGGER_MINUTES = Number(process.env.BENCH_TRIGGER_MINUTES ?? 2);
const PUSH_ALERTS = Number(process.env.BENCH_PUSH_ALERTS ?? 10_000);
const PUSH_ROUNDS = Number(process.env.BENCH_PUSH_ROUNDS ?? 5);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

async function call(url: string, key: string, method: string, p: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url + p, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Temp folders made by this run, removed at its end. */
const made: string[] = [];

async function startTend(yaml: string): Promise<{ tend: ChildTend; dir: string }> {
  const dir = tempDir('bench-alerts');
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'tend.yaml'), yaml);
  const tend = await spawnTend(dir, 0, { TEND_CONFIG: path.join(dir, 'tend.yaml') });
  return { tend, dir };
}

/** (a) check flip -> webhook. */
async function checkToWebhook() {
  let arrived: (() => void) | undefined;
  const hook = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.end('{}');
      arrived?.();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  let target: net.Server | undefined;
  const targetPort = await freePort();
  const open = () => new Promise<void>((r) => (target = net.createServer((s) => s.end()).listen(targetPort, '127.0.0.1', () => r())));
  const close = () => new Promise<void>((r) => target!.close(() => r()));
  await open();
  // group_interval is Alertmanager's pause between two notifications of one group; every flip
  // notifies the same group, so it is kept short here to measure the path, not the pause.
  const { tend } = await startTend(`alerting:
  receivers: [{ name: hook, webhook: { url: "http://127.0.0.1:${(hook.address() as net.AddressInfo).port}/" } }]
  route: { receiver: hook, group_wait: 0s, group_interval: 1ms }
checks:
  - { name: flip, kind: tcp, host: 127.0.0.1, port: ${targetPort}, interval: 1h }
`);
  await call(tend.url, tend.adminKey, 'POST', '/api/v1/checks/flip/run');
  const latencies: number[] = [];
  try {
    for (let i = 0; i < FLIPS; i++) {
      if (i % 2 === 0) await close();
      else await open();
      const got = new Promise<void>((r) => (arrived = r));
      const started = performance.now();
      await call(tend.url, tend.adminKey, 'POST', '/api/v1/checks/flip/run');
      await Promise.race([got, sleep(5000).then(() => Promise.reject(new Error(`flip ${i}: no notification within 5 s`)))]);
      latencies.push(performance.now() - started);
    }
  } finally {
    await tend.stop();
    hook.close();
    target?.close();
  }
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  console.log(`(a) check state change -> webhook over ${FLIPS} flips: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target: p99 < 500 ms)`);
  return { flips: FLIPS, p50Ms: +p50.toFixed(1), p99Ms: +p99.toFixed(1), met: p99 < 500 };
}

/** (b) many triggers over many datasets. */
async function triggersAtScale() {
  const { tend } = await startTend('environment: production\n');
  const DATASETS = 20;
  const endpoints = ['/pay', '/cart', '/search', '/login', '/home', '/api', '/img', '/feed'];
  const now = Date.now();
  try {
    const perBatch = 1000;
    const batches = Math.ceil(TRIGGER_EVENTS / perBatch);
    const loadStart = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let b = next++; b < batches; b = next++) {
          const ds = `svc${b % DATASETS}`;
          const events = Array.from({ length: perBatch }, (_, i) => ({
            time: new Date(now - ((b * perBatch + i) % 3_600_000)).toISOString(),
            data: { endpoint: endpoints[i % endpoints.length], duration_ms: (i * 37) % 1500, status: i % 50 === 0 ? 500 : 200 },
          }));
          await call(tend.url, tend.ingestKey, 'POST', `/1/batch/${ds}`, events);
        }
      }),
    );
    console.log(`(b) loaded ${TRIGGER_EVENTS.toLocaleString()} events over ${DATASETS} datasets in ${((performance.now() - loadStart) / 1000).toFixed(0)} s`);
    const windows = [300, 600, 900, 1800, 3600];
    const calcs = [{ op: 'P99', column: 'duration_ms' }, { op: 'COUNT' }, { op: 'AVG', column: 'duration_ms' }, { op: 'MAX', column: 'duration_ms' }];
    for (let i = 0; i < TRIGGERS; i++) {
      const ds = `svc${i % DATASETS}`;
      await call(tend.url, tend.adminKey, 'POST', `/1/triggers/${ds}`, {
        name: `t${i}`,
        query: { calculations: [calcs[i % calcs.length]], breakdowns: i % 3 === 0 ? ['endpoint'] : [], time_range: windows[Math.floor(i / DATASETS) % windows.length], filters: i % 4 === 0 ? [{ column: 'status', op: '>=', value: 500 }] : [] },
        threshold: { op: '>', value: 1e12 },
        frequency: 60,
      });
    }
    const cpu0 = cpuSeconds(tend.child.pid!);
    const started = Date.now();
    await sleep(TRIGGER_MINUTES * 60_000 + 15_000);
    const cpu = cpuSeconds(tend.child.pid!) - cpu0;
    const wall = (Date.now() - started) / 1000;
    const runs = await call(tend.url, tend.adminKey, 'POST', '/api/v1/query/tend.trigger_runs', {
      start_time: Math.floor(started / 1000), end_time: Math.ceil(Date.now() / 1000) + 1,
      calculations: [{ op: 'COUNT_DISTINCT', column: 'trigger.id' }, { op: 'P99', column: 'lag_ms' }, { op: 'MAX', column: 'lag_ms' }, { op: 'P99', column: 'duration_ms' }, { op: 'COUNT' }],
    });
    const r = runs.data.results[0]?.data ?? {};
    const evaluatedPerMinute = Number(r['COUNT_DISTINCT(trigger.id)'] ?? 0);
    const lagMax = Number(r['MAX(lag_ms)'] ?? NaN);
    const cores = cpu / wall;
    console.log(`(b) ${TRIGGERS} triggers, ${TRIGGER_MINUTES} min: ${evaluatedPerMinute} distinct triggers evaluated, lag p99 ${Number(r['P99(lag_ms)']).toFixed(0)} ms, max ${lagMax.toFixed(0)} ms, query p99 ${Number(r['P99(duration_ms)']).toFixed(0)} ms, CPU ${cores.toFixed(2)} cores on average (target: all within their minute, < 1 core)`);
    return { triggers: TRIGGERS, events: TRIGGER_EVENTS, minutes: TRIGGER_MINUTES, distinctEvaluated: evaluatedPerMinute, lagP99Ms: Math.round(Number(r['P99(lag_ms)'])), lagMaxMs: Math.round(lagMax), queryP99Ms: Math.round(Number(r['P99(duration_ms)'])), cores: +cores.toFixed(2), met: lagMax < 60_000 && cores < 1 && evaluatedPerMinute === TRIGGERS };
  } finally {
    await tend.stop();
  }
}

/** Pushes PUSH_ALERTS alerts named after `set`; a set pushed again is a refresh of firing alerts. */
async function pushAll(url: string, headers: Record<string, string>, set: string): Promise<number> {
  const batches = Math.ceil(PUSH_ALERTS / 100);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let b = next++; b < batches; b = next++) {
        const alerts = Array.from({ length: 100 }, (_, i) => ({ labels: { alertname: `Bench${b % 50}`, instance: `${set}-host-${b}-${i}`, severity: i % 3 ? 'warning' : 'critical' }, annotations: { summary: 'bench' } }));
        const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(alerts) });
        await res.text();
        if (!res.ok) throw new Error(`${url}: ${res.status}`);
      }
    }),
  );
  return (batches * 100) / ((performance.now() - started) / 1000);
}

/** (c) alert pushes, Tend against Alertmanager. */
async function pushRate() {
  const sink = http.createServer((req, res) => req.resume().on('end', () => res.end('{}')));
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as net.AddressInfo).port}/`;
  const dir = tempDir('bench-am');
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'am.yml'), `route: { receiver: hook, group_by: [alertname], group_wait: 30s }\nreceivers: [{ name: hook, webhook_configs: [{ url: "${sinkUrl}" }] }]\n`);
  const { tend } = await startTend(`alerting:\n  receivers: [{ name: hook, webhook: { url: "${sinkUrl}" } }]\n  route: { receiver: hook, group_by: [alertname], group_wait: 30s }\n`);
  const amPort = await freePort();
  let am: ChildProcess | undefined;
  try {
    am = spawn('prometheus-alertmanager', [`--config.file=${path.join(dir, 'am.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=', '--log.level=warn'], { stdio: 'ignore' });
    const amUrl = `http://127.0.0.1:${amPort}`;
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${amUrl}/-/ready`).then((r) => r.ok, () => false)) break;
      await sleep(100);
    }
    const servers = { alertmanager: { url: amUrl, headers: {} }, tend: { url: tend.url, headers: { authorization: `Bearer ${tend.ingestKey}` } } };
    // Both servers first take one push of alerts not measured: Node compiles Tend's code as it
    // runs (its first push ran at a third of its later rate), and a server in use is warm.
    for (const s of Object.values(servers)) await pushAll(s.url, s.headers, 'warm');
    // Then rounds, interleaved so both see the same machine: each pushes a set of alerts never
    // seen (new: they fire) and the same set again (a refresh, which is what Prometheus sends
    // every resend interval while an alert holds).
    const rates = { tend: { new: [] as number[], refresh: [] as number[] }, alertmanager: { new: [] as number[], refresh: [] as number[] } };
    // CPU time (all threads) of each process per alert: what the rate costs the machine.
    const pids = { tend: tend.child.pid!, alertmanager: am.pid! };
    const cpuUs = { tend: { new: 0, refresh: 0 }, alertmanager: { new: 0, refresh: 0 } };
    for (let round = 0; round < PUSH_ROUNDS; round++) {
      for (const kind of ['new', 'refresh'] as const) {
        for (const [name, s] of Object.entries(servers) as [keyof typeof rates, (typeof servers)[keyof typeof servers]][]) {
          const cpu0 = cpuSeconds(pids[name]);
          rates[name][kind].push(await pushAll(s.url, s.headers, `r${round}`));
          cpuUs[name][kind] += ((cpuSeconds(pids[name]) - cpu0) * 1e6) / (PUSH_ALERTS * PUSH_ROUNDS);
        }
      }
    }
    for (const c of Object.values(cpuUs)) for (const k of ['new', 'refresh'] as const) c[k] = Math.round(c[k]);
    console.log(`(c) CPU per alert (all threads, us): ${JSON.stringify(cpuUs)}`);
    const figure = (kind: 'new' | 'refresh') => {
      const t = median(rates.tend[kind]);
      const a = median(rates.alertmanager[kind]);
      console.log(`(c) ${PUSH_ALERTS.toLocaleString()} ${kind} alerts, 10 clients, batches of 100, median of ${PUSH_ROUNDS} rounds: Tend ${t.toFixed(0)}/s, Alertmanager 0.25 ${a.toFixed(0)}/s, ratio ${(t / a).toFixed(2)}x (target >= 1.0x)`);
      return { tendPerSecond: Math.round(t), alertmanagerPerSecond: Math.round(a), ratio: +(t / a).toFixed(2) };
    };
    const fresh = figure('new');
    const refresh = figure('refresh');
    const whole = (xs: number[]) => xs.map(Math.round);
    const rounds = Object.fromEntries(Object.entries(rates).map(([n, r]) => [n, { new: whole(r.new), refresh: whole(r.refresh) }]));
    console.log(`(c) rounds, alerts/s: ${JSON.stringify(rounds)}`);
    return { alerts: PUSH_ALERTS, new: fresh, refresh, rounds, cpuUsPerAlert: cpuUs, met: fresh.ratio >= 1 && refresh.ratio >= 1 };
  } finally {
    am?.kill('SIGKILL');
    await tend.stop();
    sink.close();
  }
}

const only = (process.env.BENCH_PARTS ?? 'a,b,c').split(',');
// Parts not run this time keep their last figures, marked with when they were measured.
const previous = (() => {
  try {
    return JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'results', 'alerts.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
})();
const figures: Record<string, unknown> = {};
for (const [part, key] of [['a', 'checkToWebhook'], ['b', 'triggers'], ['c', 'pushRate']] as const) {
  const old = previous[key] as Record<string, unknown> | undefined;
  if (!only.includes(part) && old) figures[key] = { measuredAt: previous.measuredAt, ...old };
}
if (only.includes('a')) figures.checkToWebhook = await checkToWebhook();
if (only.includes('c')) figures.pushRate = await pushRate();
if (only.includes('b')) figures.triggers = await triggersAtScale();
recordResult('alerts', figures);
for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
