// `tend checks list|apply|run NAME`. list and apply talk to the running server with an admin
// key; run asks the server (so the result is recorded as an event), and when no server is
// running it runs the check from tend.yaml in this process and only prints the result.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { formatResult, parseChecksFile, probe, type ApplySummary } from '../checks/index.js';
import { callApi, clientOptions, resolveKey, serverUrl, type ClientOptions } from './client.js';
import { formatTable } from './table.js';

interface CheckRow {
  name: string;
  kind: string;
  state: string;
  managed_by: string;
  since: string;
  last_result?: { ok: boolean; duration_ms: number; error?: string };
  heartbeat?: { uuid: string };
}

type RunOutput = { name: string } & ReturnType<typeof formatResult>;

const configPath = (opts: { config?: string }) => path.resolve(opts.config || process.env.TEND_CONFIG || './tend.yaml');

function printResult(r: RunOutput, where: string): void {
  const parts = [`${r.name}: ${r.ok ? 'ok' : 'FAILED'}`, `${Math.round(r.duration_ms)} ms`];
  if (r.http_status_code !== undefined) parts.push(`status ${r.http_status_code}`);
  if (r.tls_cert_days_left !== undefined) parts.push(`certificate: ${r.tls_cert_days_left} days left`);
  if (r.error) parts.push(r.error);
  process.stdout.write(`${parts.join('  ')}  (${where})\n`);
}

function isUnreachable(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND';
}

export function registerChecks(program: Command): void {
  const checks = program.command('checks').description('Checks and heartbeats: list, apply tend.yaml, run one now');

  clientOptions(checks.command('list').description('List the checks of the key\'s environment with their state')).action(async (opts: ClientOptions) => {
    const { checks: list } = await callApi<{ checks: CheckRow[] }>(opts, 'admin', 'GET', '/api/v1/checks');
    const rows = list.map((c) => [
      c.name,
      c.kind,
      c.state,
      c.managed_by,
      c.last_result ? `${c.last_result.ok ? 'ok' : 'failed'} ${Math.round(c.last_result.duration_ms)} ms${c.last_result.error ? `: ${c.last_result.error}` : ''}` : '-',
      c.heartbeat ? `/ping/${c.heartbeat.uuid}` : '',
    ]);
    process.stdout.write(formatTable(['NAME', 'KIND', 'STATE', 'MANAGED BY', 'LAST RESULT', 'PING'], rows));
  });

  clientOptions(
    checks
      .command('apply')
      .description('Send tend.yaml to the server: its checks and status pages become current')
      .option('--config <file>', 'the file (env TEND_CONFIG, default ./tend.yaml)'),
  ).action(async (opts: ClientOptions & { config?: string }) => {
    const file = configPath(opts);
    const text = fs.readFileSync(file, 'utf8');
    parseChecksFile(text, file); // report problems with the local path before sending
    const res = await fetch(`${serverUrl(opts)}/api/v1/checks/apply`, {
      method: 'POST',
      headers: { 'x-honeycomb-team': resolveKey(opts, 'admin'), 'content-type': 'application/yaml' },
      body: text,
    });
    const body = (await res.json()) as ApplySummary & { error?: string };
    if (!res.ok) throw new Error(`apply ${file}: ${res.status} ${body.error}`);
    const line = (label: string, names: string[]) => names.length && process.stdout.write(`${label}: ${names.join(', ')}\n`);
    process.stdout.write(`applied ${file} to environment ${body.environment}\n`);
    line('created', body.created);
    line('updated', body.updated);
    line('unchanged', body.unchanged);
    line('deleted', body.deleted);
    line('status pages', body.status_pages);
    for (const hb of body.heartbeats) process.stdout.write(`heartbeat ${hb.name}: ping ${serverUrl(opts)}/ping/${hb.uuid}\n`);
  });

  clientOptions(
    checks
      .command('run <name>')
      .description('Run one check now and print the result (exit status 1 when it fails)')
      .option('--config <file>', 'tend.yaml used when no server is running (env TEND_CONFIG)'),
  ).action(async (name: string, opts: ClientOptions & { config?: string }) => {
    let result: RunOutput;
    let where: string;
    try {
      result = await callApi<RunOutput>(opts, 'admin', 'POST', `/api/v1/checks/${encodeURIComponent(name)}/run`);
      where = `recorded by ${serverUrl(opts)}`;
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      const file = configPath(opts);
      const def = parseChecksFile(fs.readFileSync(file, 'utf8'), file).checks.find((c) => c.name === name);
      if (!def) throw new Error(`no server at ${serverUrl(opts)}, and ${file} declares no check "${name}"`);
      if (def.kind === 'heartbeat') throw new Error(`"${name}" is a heartbeat: it is not run, it waits for pings`);
      result = { name, ...formatResult(await probe(def)) };
      where = `run here from ${file}; not recorded (no server)`;
    }
    printResult(result, where);
    if (!result.ok) process.exitCode = 1;
  });
}
