// Starting Tend for tests: in this process (fast, for API tests) or as a child `tend serve`
// process (for real clients and crash tests). Both use a fresh temp data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type ConfigOverrides } from '../../src/config.js';
import { startTend, type Tend } from '../../src/server/index.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI; TEND_CLI points at another build (benchmarks comparing two). */
export const cliPath = process.env.TEND_CLI ? path.resolve(process.env.TEND_CLI) : path.join(repoRoot, 'dist/cli/index.js');

export function tempDataDir(label = 'tend'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${label}-`));
}

/**
 * TEND_TEST_META=postgres://user@host:port runs a suite's Tend nodes on PostgreSQL metadata
 * instead of the embedded store: one database per data folder, so a restart finds its own.
 */
export function testMeta(dataDir: string): string | undefined {
  const base = process.env.TEND_TEST_META;
  if (!base) return undefined;
  return `${base.replace(/\/$/, '')}/t_${crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
}

/**
 * TEND_TEST_EVENTS=clickhouse://user:@host:port runs a suite's Tend nodes on ClickHouse events
 * (test/clickhouse/*.test.ts set it): one database per data folder, so a restart finds its own.
 */
export function testEvents(dataDir: string): string | undefined {
  const base = process.env.TEND_TEST_EVENTS;
  if (!base) return undefined;
  return `${base.replace(/\/$/, '')}/t_${crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
}

export interface TestTend {
  tend: Tend;
  url: string;
  ingestKey: string;
  adminKey: string;
  dataDir: string;
  close(): Promise<void>;
}

function readKeys(dataDir: string): { ingest_key: string; admin_key: string } {
  return JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8'));
}

/** Tend in this process on a free port. */
export async function startTestTend(overrides: ConfigOverrides = {}): Promise<TestTend> {
  const dataDir = overrides.data ?? tempDataDir();
  const tend = await startTend(loadConfig({ port: 0, logLevel: 'error', meta: testMeta(dataDir), events: testEvents(dataDir), ...overrides, data: dataDir }, {}), {});
  const keys = readKeys(dataDir);
  return {
    tend,
    url: tend.url,
    ingestKey: keys.ingest_key,
    adminKey: keys.admin_key,
    dataDir,
    close: () => tend.close(),
  };
}

export interface ChildTend {
  child: ChildProcess;
  url: string;
  ingestKey: string;
  adminKey: string;
  /** What `tend serve` printed up to its banner. */
  banner: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `tend serve` (built CLI) as a child process; resolves once it prints its banner. `fromSource`
 * runs the TypeScript sources through tsx instead, for tests that must not depend on a build;
 * `cli` runs another build's dist/cli/index.js (benchmarks comparing builds).
 */
export async function spawnTend(dataDir: string, port = 0, env: NodeJS.ProcessEnv = {}, extraArgs: string[] = [], opts: { fromSource?: boolean; cli?: string } = {}): Promise<ChildTend> {
  const meta = testMeta(dataDir);
  const events = testEvents(dataDir);
  const args = ['serve', '--data', dataDir, '--port', String(port), '--log-level', 'error', ...(meta ? ['--meta', meta] : []), ...(events ? ['--events', events] : []), ...extraArgs];
  const cli = opts.fromSource ? ['--import', 'tsx', path.join(repoRoot, 'src/cli/index.ts')] : [opts.cli ?? cliPath];
  const child = spawn(process.execPath, [...cli, ...args], {
    env: { ...process.env, TEND_INGEST_KEY: '', TEND_ADMIN_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tend serve did not start:\n${output}`)), opts.fromSource ? 60_000 : 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    void exited.then((code) => reject(new Error(`tend serve exited with ${code}:\n${output}`)));
  });
  // A node joining a metadata store that has its keys already writes no keys.json: it has the ones it was given.
  const joined = !fs.existsSync(path.join(dataDir, 'keys.json'));
  const keys = joined ? { ingest_key: env.TEND_INGEST_KEY ?? '', admin_key: env.TEND_ADMIN_KEY ?? '' } : readKeys(dataDir);
  return {
    child,
    url,
    ingestKey: keys.ingest_key,
    adminKey: keys.admin_key,
    banner: output,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
