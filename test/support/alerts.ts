// What the alert tests share: Tend started with a tend.yaml and short alert intervals, and a
// local HTTP server that keeps every request it receives (the receiver under test).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { defaultAlertsSettings, loadConfig } from '../../src/config.js';
import { startTend, type Tend } from '../../src/server/index.js';
import { tempDataDir } from './tend.js';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  got: Received[];
  /** Status to answer with (default 200); a function may vary it per request. */
  status: number | ((r: Received) => number);
  /** Milliseconds to wait before answering (a slow receiver). */
  delayMs: number;
  waitFor(n: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const got: Received[] = [];
  const waiters: (() => void)[] = [];
  const rec: Receiver = {
    url: '',
    got,
    status: 200,
    delayMs: 0,
    async waitFor(n, ms = 10_000) {
      const until = Date.now() + ms;
      while (got.length < n) {
        if (Date.now() > until) throw new Error(`receiver got ${got.length} requests, expected ${n}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      return got;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const status = typeof rec.status === 'function' ? rec.status(r) : rec.status;
      setTimeout(() => {
        if (status < 300) got.push(r);
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
        waiters.splice(0).forEach((w) => w());
      }, rec.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  rec.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return rec;
}

export interface AlertsTend {
  tend: Tend;
  url: string;
  adminKey: string;
  ingestKey: string;
  dataDir: string;
  close(): Promise<void>;
}

/** Tend in this process with `yaml` as its tend.yaml and alert intervals short enough for tests. */
export async function startAlertsTend(yaml: string, dataDir = tempDataDir('alerts'), env: NodeJS.ProcessEnv = {}): Promise<AlertsTend> {
  const configFile = path.join(dataDir, 'tend.yaml');
  fs.writeFileSync(configFile, yaml);
  const config = loadConfig({ port: 0, logLevel: 'error', data: dataDir, config: configFile }, {});
  const alerts = defaultAlertsSettings({});
  config.alerts = { ...alerts, nodeId: 'test-node', triggerTickMs: 200, delivery: { ...alerts.delivery, baseDelayMs: 100, maxDelayMs: 400, pollMs: 100, attemptTimeoutMs: 2000 } };
  const tend = await startTend(config, env);
  const keys = JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8'));
  return { tend, url: tend.url, adminKey: keys.admin_key, ingestKey: keys.ingest_key, dataDir, close: () => tend.close() };
}

export async function api(t: { url: string }, key: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(t.url + p, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body: parsed };
}
