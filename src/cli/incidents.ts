// `tend incidents list|show ID|ack ID|resolve ID|note ID TEXT`: incidents of the key's
// environment; --json prints the API's answer as it is.
import type { Command } from 'commander';
import { callApi } from './client.js';
import { out, printJson, withJson, type IncidentRow, type Opts } from './ownership-print.js';
import { formatTable } from './table.js';

function show(i: IncidentRow): void {
  out([
    `${i.id}  ${i.severity} ${i.state}  ${i.service}: ${i.title}`,
    `opened ${i.opened_at}${i.acknowledged_by ? `, acknowledged by ${i.acknowledged_by}` : ''}${i.resolved_at ? `, resolved ${i.resolved_at}` : ''}`,
    ...(i.runbook ? [`runbook ${i.runbook}`] : []),
    '',
    ...(i.timeline ?? []).map((e) => `${e.at}  ${e.kind.padEnd(14)} ${e.author.padEnd(20)} ${e.text}`),
  ].join('\n'));
}

export function registerIncidents(program: Command): void {
  const incidents = program.command('incidents').description('Incidents: list, show, acknowledge, resolve, add a note');
  const path = (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}`;

  withJson(incidents.command('list').description('Incidents, newest first'))
    .option('--service <name>', 'only this service')
    .option('--state <state>', 'open, triggered, acknowledged, mitigated or resolved')
    .action(async (opts: Opts & { service?: string; state?: string }) => {
      const q = new URLSearchParams({ ...(opts.service ? { service: opts.service } : {}), ...(opts.state ? { state: opts.state } : {}) }).toString();
      const res = await callApi<{ incidents: IncidentRow[] }>(opts, 'admin', 'GET', `/api/v1/incidents${q ? `?${q}` : ''}`);
      if (opts.json) return printJson(res);
      out(formatTable(['ID', 'SEVERITY', 'STATE', 'SERVICE', 'OPENED', 'TITLE'], res.incidents.map((i) => [i.id, i.severity, i.state, i.service, i.opened_at, i.title])));
    });

  withJson(incidents.command('show').description('One incident with its timeline').argument('<id>')).action(async (id: string, opts: Opts) => {
    const i = await callApi<IncidentRow>(opts, 'admin', 'GET', path(id));
    if (opts.json) return printJson(i);
    show(i);
  });

  for (const [verb, state] of [['ack', 'acknowledged'], ['resolve', 'resolved']] as const) {
    withJson(incidents.command(verb).description(`Mark an incident ${state}`).argument('<id>')).action(async (id: string, opts: Opts) => {
      const i = await callApi<IncidentRow>(opts, 'admin', 'PATCH', path(id), { state });
      if (opts.json) return printJson(i);
      show(i);
    });
  }

  withJson(incidents.command('note').description('Add a note to an incident\'s timeline').argument('<id>').argument('<text...>')).action(async (id: string, text: string[], opts: Opts) => {
    const i = await callApi<IncidentRow>(opts, 'admin', 'POST', `${path(id)}/notes`, { text: text.join(' ') });
    if (opts.json) return printJson(i);
    show(i);
  });
}
