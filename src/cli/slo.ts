// `tend slo list` and `tend slo show NAME`: the SLOs of the key's environment with their
// latest numbers, one with its burn rates, firing burn alerts and a sparkline of the budget
// remaining over the period; --json prints the API's answer as it is.
import type { Command } from 'commander';
import { callApi, clientOptions, type ClientOptions } from './client.js';
import { sparkline } from './sparkline.js';
import { formatTable } from './table.js';

type Opts = ClientOptions & { json?: boolean };

interface SloRow {
  name: string;
  datasets: string[];
  target: number;
  period_days: number;
  evaluated_at: string | null;
  error: string | null;
  eligible: number | null;
  good: number | null;
  compliance: number | null;
  budget_remaining: number | null;
  burn_rates: Record<string, number> | null;
  exhaustion_at: string | null;
  firing: { burn_alert: string; window: string; severity: string }[];
  history?: { start: string; budget_remaining: number }[];
}

const out = (s: string): void => {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};
const pct = (v: number | null, digits = 3) => (v === null ? '-' : `${(v * 100).toFixed(digits)}%`);
const withJson = (c: Command) => clientOptions(c).option('--json', 'print the JSON answer');

export function registerSlo(program: Command): void {
  const slo = program.command('slo').description('Service level objectives: list, show one');

  withJson(slo.command('list').description('SLOs of the key\'s environment with their latest numbers')).action(async (opts: Opts) => {
    const res = await callApi<{ slos: SloRow[] }>(opts, 'admin', 'GET', '/api/v1/slos');
    if (opts.json) return out(JSON.stringify(res, null, 2));
    const rows = res.slos.map((s) => [
      s.name, s.datasets.join(','), `${s.target}%`, `${s.period_days}d`, pct(s.compliance), pct(s.budget_remaining, 1),
      s.burn_rates ? s.burn_rates['1h'].toFixed(2) : '-', s.firing.map((f) => `${f.burn_alert}/${f.window}`).join(' ') || (s.error ? `error: ${s.error}` : ''),
    ]);
    out(formatTable(['NAME', 'DATASETS', 'TARGET', 'PERIOD', 'COMPLIANCE', 'BUDGET LEFT', 'BURN 1H', 'FIRING'], rows, new Set([4, 5, 6])));
  });

  withJson(slo.command('show').description('One SLO: its numbers, burn rates, firing burn alerts and budget over the period').argument('<name>')).action(async (name: string, opts: Opts) => {
    const s = await callApi<SloRow>(opts, 'admin', 'GET', `/api/v1/slos/${encodeURIComponent(name)}`);
    if (opts.json) return out(JSON.stringify(s, null, 2));
    const lines = [
      `${s.name}  (${s.datasets.join(', ')}; target ${s.target}% over ${s.period_days} days)`,
      `evaluated at  ${s.evaluated_at ?? 'not yet'}${s.error ? `  error: ${s.error}` : ''}`,
      `good/eligible ${s.good ?? '-'} / ${s.eligible ?? '-'}  compliance ${pct(s.compliance)}`,
      `budget left   ${pct(s.budget_remaining, 1)}  runs out ${s.exhaustion_at ?? 'not at the last hour\'s rate'}`,
      `burn rates    ${s.burn_rates ? Object.entries(s.burn_rates).map(([w, v]) => `${w} ${v.toFixed(2)}x`).join('  ') : '-'}`,
      `firing        ${s.firing.map((f) => `${f.burn_alert}/${f.window} (${f.severity})`).join(', ') || 'none'}`,
    ];
    const days = s.history ?? [];
    if (days.length) lines.push(`budget        ${sparkline(days.map((d) => d.budget_remaining), 90)}  ${days[0].start.slice(0, 10)} .. now`);
    out(lines.join('\n'));
  });
}
