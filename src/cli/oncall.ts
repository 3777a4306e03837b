// `tend oncall [SCHEDULE]`: who is on call now (or --at a time) for one schedule, or for every
// schedule; `tend oncall shifts` lists a schedule's shifts between two times; `tend oncall
// override` adds one.
import type { Command } from 'commander';
import { callApi } from './client.js';
import { out, printJson, withJson, type Opts } from './ownership-print.js';
import { formatTable } from './table.js';

interface OnCall {
  schedule: string;
  at: string;
  on_call: { email: string; name: string | null; layer: string; shift_start: string; shift_end: string; override: string | null }[];
}

export function registerOncall(program: Command): void {
  const oncall = withJson(program.command('oncall').description('Who is on call: for SCHEDULE, or every schedule').argument('[schedule]'))
    .option('--at <time>', 'an ISO 8601 time instead of now')
    .action(async (schedule: string | undefined, opts: Opts & { at?: string }) => {
      const names = schedule ? [schedule] : (await callApi<{ schedules: { name: string }[] }>(opts, 'admin', 'GET', '/api/v1/schedules')).schedules.map((s) => s.name);
      const q = (n: string) => `/api/v1/oncall?schedule=${encodeURIComponent(n)}${opts.at ? `&at=${encodeURIComponent(opts.at)}` : ''}`;
      const answers = await Promise.all(names.map((n) => callApi<OnCall>(opts, 'admin', 'GET', q(n))));
      if (opts.json) return printJson(schedule ? answers[0] : { schedules: answers });
      const rows = answers.flatMap((a) => a.on_call.map((o) => [a.schedule, o.layer, o.name ? `${o.name} <${o.email}>` : o.email, o.shift_start, o.shift_end, o.override ? 'override' : '']));
      out(formatTable(['SCHEDULE', 'LAYER', 'WHO', 'FROM', 'UNTIL', ''], rows));
    });
  withJson(oncall.command('shifts').description('A schedule\'s shifts, overrides applied (default: the next 7 days)').argument('<schedule>'))
    .option('--from <time>', 'ISO 8601 start (default now)')
    .option('--to <time>', 'ISO 8601 end (default 7 days after --from; at most 62)')
    // --url, --key and --json also belong to `oncall`, which takes them first: read both.
    .action(async (schedule: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<Opts & { from?: string; to?: string }>();
      const q = new URLSearchParams();
      if (opts.from) q.set('from', opts.from);
      if (opts.to) q.set('to', opts.to);
      const r = await callApi<{ shifts: { email: string; name: string | null; layer: string; start: string; end: string; override: string | null }[] }>(
        opts, 'admin', 'GET', `/api/v1/schedules/${encodeURIComponent(schedule)}/shifts${q.size ? `?${q}` : ''}`,
      );
      if (opts.json) return printJson(r);
      out(formatTable(['LAYER', 'WHO', 'FROM', 'UNTIL', ''], r.shifts.map((x) => [x.layer, x.name ? `${x.name} <${x.email}>` : x.email, x.start, x.end, x.override ? 'override' : ''])));
    });
  withJson(oncall.command('override').description('Put a person in a layer\'s place from one time to another').argument('<schedule>'))
    .requiredOption('--layer <layer>', 'the layer to override')
    .requiredOption('--email <email>', 'who takes the shift')
    .requiredOption('--from <time>', 'ISO 8601 start')
    .requiredOption('--to <time>', 'ISO 8601 end')
    .action(async (schedule: string, opts: Opts & { layer: string; email: string; from: string; to: string }) => {
      const o = await callApi<{ id: string }>(opts, 'admin', 'POST', `/api/v1/schedules/${encodeURIComponent(schedule)}/overrides`, { layer: opts.layer, email: opts.email, from: opts.from, to: opts.to });
      if (opts.json) return printJson(o);
      out(`override ${o.id}: ${opts.email} on ${schedule}/${opts.layer} from ${opts.from} to ${opts.to}`);
    });
}
