// `tend alerts list|show|ack|unack|silence add|list|expire|test-receiver` and `tend triggers
// list`: talk to the running server's API; --json prints the API's answer as it is.
import type { Command } from 'commander';
import { callApi, clientOptions, type ClientOptions } from './client.js';
import { formatTable } from './table.js';

type Opts = ClientOptions & { json?: boolean };

interface AlertRow {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  source: string;
  service: string | null;
  starts_at: string;
  acknowledged_by?: string;
}

const out = (s: string): void => {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};
const json = (v: unknown): void => out(JSON.stringify(v, null, 2));
const withJson = (c: Command) => clientOptions(c).option('--json', 'print the JSON answer');

function printAlerts(alerts: AlertRow[]): void {
  const rows = alerts.map((a) => [a.fingerprint, a.labels.alertname ?? '', a.state, a.source, a.service ?? '', a.starts_at, a.acknowledged_by ?? '', a.annotations.summary ?? '']);
  out(formatTable(['FINGERPRINT', 'ALERTNAME', 'STATE', 'SOURCE', 'SERVICE', 'SINCE', 'ACKED BY', 'SUMMARY'], rows));
}

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('Alerts: list, show, acknowledge, silence, test a receiver');

  withJson(alerts.command('list').description('Alerts of the key\'s environment'))
    .option('--state <state>', 'firing or resolved')
    .option('--source <source>', 'trigger, check or alertmanager')
    .option('--service <service>', 'only the alerts of this catalog service')
    .option('--filter <matcher...>', 'label matchers such as severity="critical"')
    .action(async (opts: Opts & { state?: string; source?: string; service?: string; filter?: string[] }) => {
      const q = new URLSearchParams();
      if (opts.state) q.set('state', opts.state);
      if (opts.source) q.set('source', opts.source);
      if (opts.service) q.set('service', opts.service);
      for (const f of opts.filter ?? []) q.append('filter', f);
      const res = await callApi<{ alerts: AlertRow[] }>(opts, 'admin', 'GET', `/api/v1/alerts${q.size ? `?${q}` : ''}`);
      if (opts.json) json(res);
      else printAlerts(res.alerts);
    });

  withJson(alerts.command('show <fingerprint>').description('One alert with its notifications')).action(async (fp: string, opts: Opts) => {
    const a = await callApi<AlertRow & { notifications: { receiver: string; kind: string; state: string; attempts: number; lastError?: string }[] }>(opts, 'admin', 'GET', `/api/v1/alerts/${encodeURIComponent(fp)}`);
    if (opts.json) return json(a);
    printAlerts([a]);
    out(`labels: ${Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    for (const [k, v] of Object.entries(a.annotations)) out(`${k}: ${v}`);
    out(formatTable(['RECEIVER', 'KIND', 'STATE', 'ATTEMPTS', 'LAST ERROR'], a.notifications.map((n) => [n.receiver, n.kind, n.state, String(n.attempts), n.lastError ?? ''])));
  });

  for (const verb of ['ack', 'unack'] as const) {
    withJson(alerts.command(`${verb} <fingerprint>`).description(verb === 'ack' ? 'Acknowledge an alert' : 'Take an acknowledgement back')).action(async (fp: string, opts: Opts) => {
      const a = await callApi<AlertRow>(opts, 'admin', 'POST', `/api/v1/alerts/${encodeURIComponent(fp)}/${verb}`);
      if (opts.json) json(a);
      else out(verb === 'ack' ? `acknowledged ${fp} as ${a.acknowledged_by}` : `${fp} is no longer acknowledged`);
    });
  }

  const silence = alerts.command('silence').description('Silences: add, list, expire');
  withJson(silence.command('add <matchers...>').description('Silence alerts matching all the matchers (e.g. alertname="DiskFull" instance=~"db.*")'))
    .option('--duration <minutes>', 'how long, in minutes', '60')
    .option('--comment <text>', 'why', '')
    .action(async (matchers: string[], opts: Opts & { duration: string; comment: string }) => {
      const now = Date.now();
      const parsed = matchers.map((m) => {
        const x = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"?(.*?)"?$/.exec(m);
        if (!x) throw new Error(`"${m}" is not a matcher such as severity="critical"`);
        return { name: x[1], value: x[3], isRegex: x[2].includes('~'), isEqual: !x[2].startsWith('!') };
      });
      const res = await callApi<{ silenceID: string }>(opts, 'admin', 'POST', '/api/v2/silences', {
        matchers: parsed, startsAt: new Date(now).toISOString(), endsAt: new Date(now + Number(opts.duration) * 60_000).toISOString(), comment: opts.comment,
      });
      if (opts.json) json(res);
      else out(res.silenceID);
    });
  withJson(silence.command('list').description('Silences, active and pending first')).action(async (opts: Opts) => {
    const list = await callApi<{ id: string; status: { state: string }; matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[]; createdBy: string; endsAt: string; comment: string }[]>(opts, 'admin', 'GET', '/api/v2/silences');
    if (opts.json) return json(list);
    const m = (x: { name: string; value: string; isRegex: boolean; isEqual: boolean }) => `${x.name}${x.isRegex ? (x.isEqual ? '=~' : '!~') : x.isEqual ? '=' : '!='}${JSON.stringify(x.value)}`;
    out(formatTable(['ID', 'STATE', 'MATCHERS', 'ENDS', 'BY', 'COMMENT'], list.map((s) => [s.id, s.status.state, s.matchers.map(m).join(' '), s.endsAt, s.createdBy, s.comment])));
  });
  withJson(silence.command('expire <id>').description('End a silence now')).action(async (id: string, opts: Opts) => {
    await callApi(opts, 'admin', 'DELETE', `/api/v2/silence/${encodeURIComponent(id)}`);
    if (opts.json) json({ expired: id });
    else out(`expired ${id}`);
  });

  withJson(alerts.command('test-receiver <name>').description('Send a test notification through every integration of a receiver now')).action(async (name: string, opts: Opts) => {
    const res = await callApi<{ receiver: string; results: { kind: string; status: string; http_status_code?: number; error?: string; duration_ms: number }[] }>(opts, 'admin', 'POST', `/api/v1/alerts/receivers/${encodeURIComponent(name)}/test`);
    if (opts.json) return json(res);
    for (const r of res.results) out(`${name} ${r.kind}: ${r.status}${r.http_status_code ? ` (${r.http_status_code})` : ''} in ${r.duration_ms} ms${r.error ? `: ${r.error}` : ''}`);
    if (res.results.some((r) => r.status !== 'sent')) process.exitCode = 1;
  });

  const triggers = program.command('triggers').description('Triggers: queries with a threshold');
  withJson(triggers.command('list').description('Triggers of every dataset, with whether they fire')).action(async (opts: Opts) => {
    const res = await callApi<{ triggers: { id: string; name: string; dataset: string; frequency: number; threshold: { op: string; value: number }; triggered: boolean; disabled: boolean; managed_by: string }[] }>(opts, 'admin', 'GET', '/api/v1/triggers');
    if (opts.json) return json(res);
    out(formatTable(['ID', 'NAME', 'DATASET', 'THRESHOLD', 'EVERY', 'STATE', 'MANAGED BY'], res.triggers.map((t) => [t.id, t.name, t.dataset, `${t.threshold.op} ${t.threshold.value}`, `${t.frequency}s`, t.disabled ? 'disabled' : t.triggered ? 'TRIGGERED' : 'ok', t.managed_by])));
  });
}
