// The JSON the API (and the CLI's --json) answers for services, teams and incidents.
import type { Environment } from '../store/index.js';
import type { Service, Team } from './config.js';
import type { Incident, TimelineEntry } from './incidents/model.js';
import type { Ownership } from './ownership.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export const teamJson = (t: Team) => ({
  name: t.name, description: t.description ?? null, members: t.members, channel: t.channel ?? null, receiver: t.receiver ?? null, imported: !!t.imported,
});

export function timelineJson(entries: TimelineEntry[]) {
  return entries.map((e) => ({ at: new Date(e.at).toISOString(), kind: e.kind, author: e.author, text: e.text }));
}

export function incidentJson(i: Incident, timeline?: TimelineEntry[]) {
  return {
    id: i.id, service: i.service, severity: i.severity, state: i.state, title: i.title,
    opened_at: iso(i.openedAt), acknowledged_at: iso(i.acknowledgedAt), acknowledged_by: i.acknowledgedBy ?? null,
    mitigated_at: iso(i.mitigatedAt), resolved_at: iso(i.resolvedAt), alerts: i.fingerprints,
    ...(timeline ? { timeline: timelineJson(timeline), postmortem: i.postmortem ?? null } : {}),
  };
}

export async function serviceJson(o: Ownership, env: Environment, s: Service, detailed: boolean) {
  // Reading a service records a change of its status at once (as the rounds do).
  const verdict = await o.reconcile(env, s);
  const onCall = s.schedule ? ((await o.onCallNow(env.id, s.schedule)) ?? []) : [];
  const open = await o.incidentsOf(env.id, s.name);
  const runbook = o.runbookOf(s);
  return {
    name: s.name, owner: s.owner, builders: s.builders ?? s.owner, description: s.description ?? null, tier: s.tier, lifecycle: s.lifecycle,
    datasets: s.datasets, checks: s.checks, triggers: s.triggers, slos: s.slos, depends_on: s.depends_on, links: s.links,
    schedule: s.schedule ?? null, escalation_policy: s.escalation_policy ?? null, imported: !!s.imported, annotations: s.annotations,
    on_call: onCall.map((x) => ({ email: x.email, layer: x.layer, shift_start: iso(x.start), shift_end: iso(x.end) })),
    check_status: o.checkStates(env.id, s),
    slo_status: o.sloStatuses(env.id, s),
    open_incidents: open.map((i) => incidentJson(i)),
    alerts: o.alertsOf(env.id, s.name).map((a) => ({
      fingerprint: a.fingerprint, alertname: a.labels.alertname ?? null, severity: a.labels.severity ?? null, source: a.source, starts_at: iso(a.startsAt),
    })),
    faults: verdict.faults,
    runbook: { location: s.runbook ?? null, state: runbook.state, complete: runbook.complete, ...(detailed ? { sections: runbook.sections, alerts: runbook.alerts } : {}), problems: runbook.problems },
    handoff: { status: verdict.status, missing: verdict.missing, faults: verdict.faults, max_faults: verdict.max_faults, weeks: verdict.weeks, handed_over_at: iso(verdict.handed_over_at) },
    scorecard: verdict.scorecard,
  };
}
