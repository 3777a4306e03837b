// `tend customer ID --dataset NAME` (one customer's page) and `tend customers --dataset NAME`
// (the customers hurt most): over --window (default 1h) or --start/--end; --json prints the
// API's answer as it is.
import type { Command } from 'commander';
import type { CustomerList, CustomerPage } from '../customers/index.js';
import { callApi } from './client.js';
import { out, printJson, withJson, type Opts } from './ownership-print.js';
import { sparkline } from './sparkline.js';
import { formatTable } from './table.js';

type WindowOpts = Opts & { dataset: string; window?: string; start?: string; end?: string };

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const ms = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)} ms`);

function windowed(c: Command): Command {
  return withJson(c)
    .requiredOption('--dataset <name>', 'the dataset of the requests')
    .option('--window <duration>', 'how far back from now, e.g. 15m, 6h, 7d (default 1h)')
    .option('--start <time>', 'window start: Unix seconds or ISO 8601 (with --end)')
    .option('--end <time>', 'window end: Unix seconds or ISO 8601');
}

function query(opts: WindowOpts, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ dataset: opts.dataset, window: opts.window, start: opts.start, end: opts.end, ...extra })) if (v !== undefined) params.set(k, v);
  return params.toString();
}

function showPage(p: CustomerPage): void {
  const line = (label: string, mine: (number | null)[], all: (number | null)[]) => [`${label.padEnd(11)} ${sparkline(mine, 60)}`, `${'  everyone'.padEnd(11)} ${sparkline(all, 60)}`];
  const lines = [
    `customer ${p.id} in ${p.dataset}  (${new Date(p.start_time * 1000).toISOString()} .. ${new Date(p.end_time * 1000).toISOString()})`,
    `requests    ${p.events.toLocaleString()} (${pct(p.share)} of all)   errors ${p.errors.toLocaleString()} (${pct(p.error_rate)}; everyone ${pct(p.all.error_rate)})`,
    `latency     P50 ${ms(p.p50)}  P95 ${ms(p.p95)}  P99 ${ms(p.p99)}   (everyone: ${ms(p.all.p50)}, ${ms(p.all.p95)}, ${ms(p.all.p99)})`,
    ...line('rate', p.series.customer.map((x) => x.rate), p.series.all.map((x) => x.rate)),
    ...line('error rate', p.series.customer.map((x) => x.error_rate), p.series.all.map((x) => x.error_rate)),
    ...line('P99', p.series.customer.map((x) => x.p99), p.series.all.map((x) => x.p99)),
    '',
    formatTable(['ENDPOINT', 'REQUESTS', 'ERRORS', 'ERROR RATE', 'P95'], p.endpoints.map((e) => [e.endpoint ?? '(none)', e.events.toLocaleString(), e.errors.toLocaleString(), pct(e.error_rate), ms(e.p95)]), new Set([1, 2, 3, 4])),
    `slowest     ${p.slowest.slice(0, 5).map((e) => `${e.time} ${String(e.data[p.fields.duration_field])} ms ${String(e.data[p.fields.endpoint_field] ?? '')}`).join('\n            ') || '-'}`,
    `failing     ${p.failing.slice(0, 5).map((e) => `${e.time} ${String(e.data[p.fields.endpoint_field] ?? '')}`).join('\n            ') || '-'}`,
    `incidents   ${p.incidents.map((i) => `${i.id} ${i.severity} ${i.title} (${i.service}, ${i.state}): ${i.events} requests, ${i.errors} errors`).join('\n            ') || 'none touched it'}`,
  ];
  out(lines.join('\n'));
}

export function registerCustomers(program: Command): void {
  windowed(program.command('customer').description('One customer\'s page: traffic, errors and latency against everyone, endpoints, slowest and failing requests, incidents').argument('<id>'))
    .action(async (id: string, opts: WindowOpts) => {
      const p = await callApi<CustomerPage>(opts, 'admin', 'GET', `/api/v1/customers/${encodeURIComponent(id)}?${query(opts)}`);
      if (opts.json) return printJson(p);
      showPage(p);
    });

  windowed(program.command('customers').description('The customers hurt most in a window (errors and slow requests)'))
    .option('--sort <by>', 'most_affected (default), events, errors or slow')
    .option('--limit <n>', 'how many customers (default 20)')
    .action(async (opts: WindowOpts & { sort?: string; limit?: string }) => {
      const r = await callApi<CustomerList>(opts, 'admin', 'GET', `/api/v1/customers?${query(opts, { sort: opts.sort, limit: opts.limit })}`);
      if (opts.json) return printJson(r);
      out(`slow means over ${r.slow_threshold_ms === null ? '-' : `${r.slow_threshold_ms} ms`} (${r.slow_threshold_source})`);
      out(formatTable(['CUSTOMER', 'REQUESTS', 'ERRORS', 'ERROR RATE', 'SLOW', 'SCORE'], r.customers.map((c) => [c.id, c.events.toLocaleString(), c.errors.toLocaleString(), pct(c.error_rate), c.slow.toLocaleString(), c.score.toLocaleString()]), new Set([1, 2, 3, 4, 5])));
    });
}
