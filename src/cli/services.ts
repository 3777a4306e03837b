// `tend services list|show NAME|handoff NAME`: the catalog's services with owner, on-call,
// open incidents, faults and handoff status; handoff records a handover of a ready service.
import type { Command } from 'commander';
import { callApi } from './client.js';
import { out, printJson, withJson, type Opts } from './ownership-print.js';
import { formatTable } from './table.js';

interface ServiceRow {
  name: string;
  owner: string;
  tier: number;
  lifecycle: string;
  imported: boolean;
  on_call: { email: string; layer: string }[];
  open_incidents: { id: string; severity: string; title: string }[];
  alerts: { fingerprint: string; alertname: string | null; severity: string | null; source: string }[];
  faults: number;
  runbook: { location: string | null; state: string; complete: boolean; problems: string[] };
  handoff: { status: string; missing: string[]; max_faults: number; weeks: number; handed_over_at: string | null };
  scorecard: string | null;
  depends_on: string[];
  check_status: { name: string; state: string }[];
  slo_status: { name: string; compliance: number | null }[];
}

function show(s: ServiceRow): void {
  out([
    `${s.name}  (owner ${s.owner}, tier ${s.tier}, ${s.lifecycle}${s.imported ? ', imported' : ''})`,
    `handoff     ${s.handoff.status}${s.handoff.handed_over_at ? ` since ${s.handoff.handed_over_at}` : ''}; ${s.faults} faults in ${s.handoff.weeks} weeks (max ${s.handoff.max_faults})`,
    ...s.handoff.missing.map((m) => `  missing   ${m}`),
    `scorecard   ${s.scorecard ?? '-'}`,
    `on call     ${s.on_call.map((o) => `${o.email} (${o.layer})`).join(', ') || 'nobody'}`,
    `runbook     ${s.runbook.location ?? 'none'}: ${s.runbook.state}${s.runbook.complete ? ', complete' : ''}`,
    ...s.runbook.problems.map((p) => `  problem   ${p}`),
    `incidents   ${s.open_incidents.map((i) => `${i.id} ${i.severity} ${i.title}`).join('; ') || 'none open'}`,
    `alerts      ${s.alerts.map((a) => `${a.alertname ?? a.fingerprint} (${a.source}${a.severity ? `, ${a.severity}` : ''})`).join('; ') || 'none firing'}`,
    `checks      ${s.check_status.map((c) => `${c.name} ${c.state}`).join(', ') || '-'}`,
    `SLOs        ${s.slo_status.map((x) => `${x.name} ${x.compliance === null ? '-' : `${(x.compliance * 100).toFixed(3)}%`}`).join(', ') || '-'}`,
    `depends on  ${s.depends_on.join(', ') || '-'}`,
  ].join('\n'));
}

export function registerServices(program: Command): void {
  const services = program.command('services').description('The service catalog: list, show one, record a handover');

  withJson(services.command('list').description('Services with owner, on-call, open incidents and handoff status')).action(async (opts: Opts) => {
    const res = await callApi<{ services: ServiceRow[] }>(opts, 'admin', 'GET', '/api/v1/services');
    if (opts.json) return printJson(res);
    const rows = res.services.map((s) => [
      s.name, s.owner, String(s.tier), s.on_call.map((o) => o.email).join(',') || '-', String(s.open_incidents.length), `${s.faults}/${s.handoff.max_faults}`, s.handoff.status, s.scorecard ?? '-',
    ]);
    out(formatTable(['NAME', 'OWNER', 'TIER', 'ON CALL', 'OPEN', 'FAULTS', 'HANDOFF', 'SCORECARD'], rows, new Set([2, 4, 5])));
  });

  withJson(services.command('show').description('One service in full').argument('<name>')).action(async (name: string, opts: Opts) => {
    const s = await callApi<ServiceRow>(opts, 'admin', 'GET', `/api/v1/services/${encodeURIComponent(name)}`);
    if (opts.json) return printJson(s);
    show(s);
  });

  withJson(services.command('handoff').description('Record that a ready service is handed over to its operating team').argument('<name>')).action(async (name: string, opts: Opts) => {
    const s = await callApi<ServiceRow>(opts, 'admin', 'POST', `/api/v1/services/${encodeURIComponent(name)}/handoff`);
    if (opts.json) return printJson(s);
    show(s);
  });
}
