// `tend capacity show SERVICE` (peaks per hour against the declared limits, headroom, trend)
// and `tend capacity plan SERVICE --multiplier 5 --at 2026-12-12T18:00Z` (which limit breaks
// first at that load, and when the trend alone reaches each); --json prints the API's answer.
import type { Command } from 'commander';
import type { CapacityPlan, CapacityView } from '../capacity/index.js';
import { callApi } from './client.js';
import { out, printJson, withJson, type Opts } from './ownership-print.js';
import { sparkline } from './sparkline.js';
import { formatTable } from './table.js';

const n = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
const route = (service: string, tail: string, params: Record<string, string | undefined>) => {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  return `/api/v1/services/${encodeURIComponent(service)}/capacity${tail}?${q.toString()}`;
};

export function registerCapacity(program: Command): void {
  const capacity = program.command('capacity').description('Headroom of a service against its declared limits');

  withJson(capacity.command('show').description('Peaks per hour against each limit, headroom and trend').argument('<service>'))
    .option('--weeks <n>', 'weeks of history (1-8, default 4)')
    .action(async (service: string, opts: Opts & { weeks?: string }) => {
      const v = await callApi<CapacityView>(opts, 'admin', 'GET', route(service, '', { weeks: opts.weeks }));
      if (opts.json) return printJson(v);
      if (v.limits.length === 0) return out(`${v.service} declares no capacity limits (tend.yaml services[].capacity)`);
      out(`${v.service} over ${v.weeks} weeks of ${v.dataset}`);
      out(formatTable(['LIMIT', 'MAX', 'PEAK', 'USED', 'HEADROOM', 'TREND/DAY', 'REACHES MAX', 'PEAK PER HOUR'], v.limits.map((l) => [
        l.name, n(l.limit), n(l.peak), `${(l.used * 100).toFixed(0)}%`, n(l.headroom), l.trend ? n(l.trend.slope_per_day) : '-', l.trend?.reaches_limit_at?.slice(0, 16) ?? 'not on this trend', sparkline(l.hours.map((h) => h.peak), 56),
      ]), new Set([1, 2, 3, 4, 5])));
    });

  withJson(capacity.command('plan').description('Which limit a multiplied load breaks first, and when the trend alone reaches each').argument('<service>'))
    .requiredOption('--multiplier <x>', 'the load as a multiple of the expected peak, e.g. 5')
    .option('--at <time>', 'when: ISO 8601 such as 2026-12-12T18:00Z (default now)')
    .option('--weeks <n>', 'weeks of history the trend is read from (1-8, default 4)')
    .action(async (service: string, opts: Opts & { multiplier: string; at?: string; weeks?: string }) => {
      const p = await callApi<CapacityPlan>(opts, 'admin', 'GET', route(service, '/plan', { multiplier: opts.multiplier, at: opts.at, weeks: opts.weeks }));
      if (opts.json) return printJson(p);
      const first = p.first_to_break;
      out(first
        ? `At ${p.multiplier}x on ${p.at}, ${first.name} breaks first: ${n(first.projected)} against a max of ${n(first.limit)} (it breaks from ${n(first.breaks_at_multiplier ?? 0)}x).`
        : `At ${p.multiplier}x on ${p.at}, no limit breaks.`);
      out(formatTable(['LIMIT', 'MAX', 'EXPECTED', 'PLANNED', 'USED', 'BREAKS AT', 'TREND ALONE REACHES IT'], p.limits.map((l) => [
        l.name, n(l.limit), n(l.expected), n(l.projected), `${(l.utilisation * 100).toFixed(0)}%`, l.breaks_at_multiplier === null ? '-' : `${n(l.breaks_at_multiplier)}x`, l.trend_reaches_limit_at?.slice(0, 16) ?? 'never on this trend',
      ]), new Set([1, 2, 3, 4, 5])));
    });
}
