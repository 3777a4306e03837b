// `tend deploy SERVICE --build ID` records a deploy (an ingest key is enough, so CI can run it);
// `tend deploys list` and `tend deploys report ID` show deploys and what each did. --json
// prints the API's answer as it is.
//   tend deploy checkout --build 1234 --commit 9fceb02 --message "new cart" --url https://ci/1234
// `--url` is the deploy's link here, as CI tools name it; the server is --server or TEND_URL.
import type { Command } from 'commander';
import type { DeployReport, Finding } from '../deploys/index.js';
import { callApi, clientOptions, type ClientOptions } from './client.js';
import { formatTable } from './table.js';
import { parseTimeArg } from './time-arg.js';

type Opts = ClientOptions & { json?: boolean };

interface DeployRow {
  id: string;
  service: string;
  build: string;
  commit: string | null;
  message: string | null;
  time: string;
  status: string;
  source: string;
}

const out = (s: string): void => {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};
const withJson = (c: Command) => clientOptions(c).option('--json', 'print the JSON answer');

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
function value(f: Finding, x: number): string {
  if (f.metric === 'error_rate') return pct(x);
  if (f.metric === 'throughput') return `${x.toFixed(2)}/s`;
  return `${x.toFixed(1)} ms`;
}
const change = (f: Finding) => (f.metric === 'error_rate' ? `${f.change >= 0 ? '+' : ''}${(f.change * 100).toFixed(2)} pts` : `${f.change >= 0 ? '+' : ''}${(f.change * 100).toFixed(1)}%`);

export function printReport(r: DeployReport): string {
  const d = r.deploy;
  const lines = [`deploy ${d.id}: ${d.service} build ${d.build} at ${d.time}${d.message ? ` (${d.message})` : ''}`, `status ${r.status}; after ${r.windows.after.start} .. ${r.windows.after.end}`];
  if (r.status === 'pending') return lines.join('\n');
  for (const ds of r.windows.datasets) {
    const t = ds.totals;
    lines.push(`${ds.dataset}: events ${t.before.events} -> ${t.after.events}, error rate ${t.before.error_rate === null ? '-' : pct(t.before.error_rate)} -> ${t.after.error_rate === null ? '-' : pct(t.after.error_rate)}, P95 ${t.before.p95 ?? '-'} -> ${t.after.p95 ?? '-'} ms`);
  }
  lines.push(`${r.findings.length} significant finding(s) of ${r.windows.statistics.tests} tests (Benjamini-Hochberg, alpha ${r.windows.statistics.alpha})`);
  if (r.findings.length) {
    const rows = r.findings.map((f) => [f.verdict, f.kind, f.key, f.metric, value(f, f.before), value(f, f.after), change(f), f.p_value.toPrecision(2), f.against]);
    lines.push(formatTable(['VERDICT', 'KIND', 'KEY', 'METRIC', 'BEFORE', 'AFTER', 'CHANGE', 'P', 'AGAINST'], rows, new Set([4, 5, 6, 7])).trimEnd());
  }
  for (const ds of r.windows.datasets) {
    if (!ds.bubbleup?.length) continue;
    lines.push(`new errors in ${ds.dataset} stand out by:`);
    for (const c of ds.bubbleup) {
      const top = [...c.values].sort((a, b) => b.selection - b.baseline - (a.selection - a.baseline))[0];
      lines.push(`  ${c.column}${top ? ` = ${top.value ?? '(missing)'}: ${pct(top.selection)} of errors, ${pct(top.baseline)} of the rest` : ''}`);
    }
  }
  return lines.join('\n');
}

interface DeployOptions {
  build: string;
  commit?: string;
  message?: string;
  url?: string;
  time?: string;
  server?: string;
  key?: string;
  data?: string;
  json?: boolean;
}

export function registerDeploys(program: Command): void {
  program
    .command('deploy <service>')
    .description('Record a deploy of SERVICE: a deploy marker on its datasets, and a report once the comparison window has passed')
    .requiredOption('--build <id>', 'the build deployed (the value events carry in their build field)')
    .option('--commit <sha>', 'the commit deployed')
    .option('--message <text>', 'what the deploy is')
    .option('--url <link>', 'a link to the build or the change')
    .option('--time <time>', 'when it was deployed: RFC3339, Unix seconds, now or -10m (default now)')
    .option('--server <url>', 'Tend server URL (env TEND_URL)')
    .option('--key <key>', 'API key, an ingest key is enough (env TEND_KEY)')
    .option('--data <dir>', 'data folder holding keys.json (env TEND_DATA)')
    .option('--json', 'print the JSON answer')
    .action(async (service: string, o: DeployOptions) => {
      const time = o.time === undefined ? undefined : new Date(parseTimeArg(o.time, '--time') * 1000).toISOString();
      const body = { service, build: o.build, commit: o.commit, message: o.message, url: o.url, time };
      const d = await callApi<DeployRow>({ url: o.server, key: o.key, data: o.data }, 'ingest', 'POST', '/api/v1/deploys', body);
      out(o.json ? JSON.stringify(d, null, 2) : `${d.id}  ${d.service} build ${d.build} at ${d.time}; report once the window has passed: tend deploys report ${d.id}`);
    });

  const deploys = program.command('deploys').description('Deploys and what each did to endpoints, customers and builds');
  withJson(deploys.command('list').description('Deploys of the key\'s environment, newest first').option('--service <name>', 'only this service')).action(
    async (opts: Opts & { service?: string }) => {
      const q = opts.service ? `?service=${encodeURIComponent(opts.service)}` : '';
      const res = await callApi<{ deploys: DeployRow[] }>(opts, 'admin', 'GET', `/api/v1/deploys${q}`);
      if (opts.json) return out(JSON.stringify(res, null, 2));
      const rows = res.deploys.map((d) => [d.id, d.time, d.service, d.build, d.status, d.source, d.message ?? '']);
      out(formatTable(['ID', 'TIME', 'SERVICE', 'BUILD', 'REPORT', 'SOURCE', 'MESSAGE'], rows));
    },
  );
  withJson(deploys.command('report').description('What a deploy did: significant findings per endpoint, customer and build').argument('<id>')).action(async (id: string, opts: Opts) => {
    const r = await callApi<DeployReport>(opts, 'admin', 'GET', `/api/v1/deploys/${encodeURIComponent(id)}/report`);
    out(opts.json ? JSON.stringify(r, null, 2) : printReport(r));
  });
}
