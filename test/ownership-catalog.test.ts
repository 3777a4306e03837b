// The catalog's pieces without a server: tend.yaml's ownership blocks (each problem named by its
// place), Backstage catalog files of several kinds turned into teams and services, runbook
// completeness, the handoff rule and scorecards, and the severity mapping.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseBackstage, toTendYaml } from '../src/ownership/catalog/backstage.js';
import { checkReceivers, parseOwnershipFile } from '../src/ownership/config.js';
import { judge } from '../src/ownership/handoff/handoff.js';
import { atLeast, severityOf } from '../src/ownership/incidents/model.js';
import { checkRunbookText, type RunbookStatus } from '../src/ownership/runbooks/runbook.js';
import { BACKSTAGE } from './support/backstage.js';

const BASE = `
teams: [{ name: payments, members: [Ana@Example.com] }]
schedules: [{ name: p, time_zone: Europe/Berlin, layers: [{ name: w, members: [ana@example.com], start: "2026-01-05T09:00", rotation: 1w }] }]
`;

describe('tend.yaml ownership blocks', () => {
  it('reads teams, services, schedules, policies and the handoff defaults', () => {
    const f = parseOwnershipFile(`${BASE}
services: [{ name: checkout, owner: payments, schedule: p, escalation_policy: pay }]
escalation_policies: [{ name: pay, repeat: 2, steps: [{ notify: { schedule: p }, wait: 10m }, { notify: { person: bo@example.com } }] }]
`);
    expect(f.teams[0].members).toEqual(['ana@example.com']);
    expect(f.services[0]).toMatchObject({ tier: 3, lifecycle: 'production', checks: [] });
    expect(f.policies[0].steps[1].wait).toBe('10m');
    expect(f.handoff).toMatchObject({ max_faults: 3, weeks: 4, severity_at_least: 'SEV2', require: { runbook: true, schedule: true, checks: 1, slo: false } });
    expect(f.handoff.runbook_sections).toHaveLength(7);
    expect(f.paging.linkTtlMs).toBe(86_400_000);
    expect(f.incidents).toEqual({ customer_field: 'customer_id', slow_ms: 1000 });
  });

  it('checks that teams and paging name receivers that exist', () => {
    const f = parseOwnershipFile(`teams: [{ name: a, receiver: chat }, { name: b, receiver: pager }]\npaging: { receiver: pager }`);
    expect(() => checkReceivers(f, ['chat', 'pager'])).not.toThrow();
    expect(() => checkReceivers(f, ['chat'])).toThrow('tend.yaml: teams[1].receiver: no receiver named "pager" in alerting.receivers');
    expect(() => checkReceivers({ ...f, teams: [] }, ['chat'])).toThrow('tend.yaml: paging.receiver: no receiver named "pager" in alerting.receivers');
  });

  it.each([
    [`services: [{ name: x, owner: nobody }]`, 'tend.yaml: services[0].owner: no team named "nobody" in teams'],
    [`services: [{ name: x, owner: payments, tier: 7 }]`, 'tend.yaml: services[0].tier:'],
    [`services: [{ name: x, owner: payments, schedule: nope }]`, 'tend.yaml: services[0].schedule: no schedule named "nope"'],
    [`schedules: [{ name: q, time_zone: Mars/Olympus, layers: [{ name: w, members: [a@b.co], start: "2026-01-05T09:00", rotation: 1w }] }]`, 'tend.yaml: schedules[1].time_zone: unknown time zone "Mars/Olympus"'],
    [`schedules: [{ name: q, layers: [{ name: w, members: [a@b.co], start: "2026-01-05T09:00", rotation: 1m }] }]`, 'tend.yaml: schedules[1].layers[0].rotation: expected a rotation'],
    [`escalation_policies: [{ name: e, steps: [{ notify: { team: ghosts } }] }]`, 'tend.yaml: escalation_policies[0].steps[0].notify.team: no team named "ghosts"'],
    [`handoff: { severity_at_least: SEV9 }`, 'tend.yaml: handoff.severity_at_least:'],
  ])('names the place of a problem: %s', (extra, message) => {
    // The extra block replaces the base's list of the same name when both declare one.
    const doc = { ...parseYaml(BASE), ...parseYaml(extra) };
    if (extra.startsWith('schedules')) doc.schedules = [...parseYaml(BASE).schedules, ...parseYaml(extra).schedules];
    expect(() => parseOwnershipFile(JSON.stringify(doc))).toThrow(message);
  });
});

describe('Backstage import', () => {
  it('turns Groups, Components, APIs and Systems into teams and services', () => {
    const r = parseBackstage(BACKSTAGE);
    expect(r.teams).toEqual([{ name: 'payments', description: 'Payments team', members: ['ana@example.com', 'bo@example.com'], channel: '#payments' }]);
    const checkout = r.services.find((s) => s.name === 'checkout')!;
    expect(checkout).toMatchObject({
      owner: 'payments', tier: 1, lifecycle: 'production', datasets: ['checkout', 'checkout-worker'], checks: ['checkout-health'],
      depends_on: ['ledger', 'checkout-db'], runbook: 'https://wiki.example.com/checkout/runbook', description: 'Takes payments',
    });
    expect(checkout.links).toHaveLength(2);
    expect(checkout.annotations).toMatchObject({ 'github.com/project-slug': 'acme/checkout', 'backstage.io/kind': 'Component', 'backstage.io/system': 'shop' });
    expect(r.services.find((s) => s.name === 'checkout-api')).toMatchObject({ lifecycle: 'experimental', owner: 'payments', annotations: { 'backstage.io/kind': 'API' } });
    expect(r.services.find((s) => s.name === 'shop')).toMatchObject({ depends_on: ['checkout'], annotations: { 'backstage.io/kind': 'System' } });
    expect(r.notes).toEqual(['Component orphan: no spec.owner: left out']);
  });

  it('prints YAML that tend.yaml reads back as the same catalog', () => {
    const r = parseBackstage(BACKSTAGE);
    const back = parseOwnershipFile(toTendYaml(r));
    expect(back.teams).toEqual(r.teams);
    expect(back.services).toEqual(r.services);
  });

  it('names the file and document of a broken entity', () => {
    expect(() => parseBackstage([{ name: 'x.yaml', text: 'kind: Component\n---\nkind: [' }])).toThrow(/^x\.yaml: document 1: metadata/);
  });
});

const RUNBOOK = `# Checkout
## Overview
What it does.
## Dependencies
Ledger.
## Dashboards
\`\`\`
# not a heading inside a fence
\`\`\`
## Alerts
### checkout-health
Roll back.
## Rollback
## Contacts
Payments.
`;

describe('runbooks and the handoff rule', () => {
  const sections = ['overview', 'dependencies', 'dashboards', 'alerts', 'rollback', 'restore', 'contacts'];
  it('finds missing and empty sections and alerts without a section or link', () => {
    const r = checkRunbookText(`${RUNBOOK}\nSee [the latency runbook for checkout-latency](https://wiki/x).\n`, sections, ['checkout-health', 'checkout-latency', 'checkout-slo']);
    expect(r.sections.filter((s) => !s.present).map((s) => s.name)).toEqual(['restore']);
    expect(r.sections.filter((s) => s.present && s.empty).map((s) => s.name)).toEqual(['rollback']);
    expect(r.alerts).toEqual([
      { name: 'checkout-health', covered: true, anchor: 'checkout-health' },
      { name: 'checkout-latency', covered: true },
      { name: 'checkout-slo', covered: false },
    ]);
    expect(r.problems).toEqual(['section "restore" is missing', 'section "rollback" is empty', 'alert "checkout-slo" has no section or link']);
    expect(r.complete).toBe(false);
  });

  const complete: RunbookStatus = { state: 'checked', complete: true, sections: [], alerts: [], problems: [] };
  const f = parseOwnershipFile(`${BASE}
services: [{ name: s, owner: payments, schedule: p, checks: [c] }]
handoff: { max_faults: 2 }
scorecards:
  - { name: bronze, require: { schedule: true } }
  - { name: silver, require: { runbook: true, checks: 1 }, max_faults: 1 }
  - { name: gold, require: { slo: true } }
`);
  const facts = (faults: number, over?: number, previous?: 'handed_back') => ({ service: f.services[0], runbook: complete, faults, handedOverAt: over, previous });

  it('is ready below N faults, operated up to N once handed over, handed back past N', () => {
    expect(judge(f.handoff, f.scorecards, facts(1)).status).toBe('ready');
    expect(judge(f.handoff, f.scorecards, facts(2))).toMatchObject({ status: 'not_ready', missing: ['faults: 2 in the window (fewer than 2 allowed)'] });
    expect(judge(f.handoff, f.scorecards, facts(2, 1)).status).toBe('operated');
    expect(judge(f.handoff, f.scorecards, facts(3, 1))).toMatchObject({ status: 'handed_back', missing: ['faults: 3 in the window (at most 2 allowed)'] });
    expect(judge(f.handoff, f.scorecards, facts(3, undefined, 'handed_back')).status).toBe('handed_back');
    expect(judge(f.handoff, f.scorecards, facts(0, undefined, 'handed_back')).status).toBe('ready');
    const noRunbook = { ...facts(0, 1), runbook: { ...complete, complete: false, problems: ['section "x" is missing'] } };
    expect(judge(f.handoff, f.scorecards, noRunbook)).toMatchObject({ status: 'handed_back', missing: ['runbook: section "x" is missing'] });
  });

  it('gives the highest scorecard level met in order', () => {
    expect(judge(f.handoff, f.scorecards, facts(1)).scorecard).toBe('silver');
    expect(judge(f.handoff, f.scorecards, facts(2)).scorecard).toBe('bronze');
    expect(judge(f.handoff, [], facts(0)).scorecard).toBeNull();
  });

  it('maps alert severities to incident severities, the service map first', () => {
    expect(['critical', 'error', 'high', 'warning', 'info', undefined].map((l) => severityOf(l))).toEqual(['SEV1', 'SEV2', 'SEV2', 'SEV3', 'SEV4', 'SEV4']);
    expect(severityOf('warning', { warning: 'SEV2' })).toBe('SEV2');
    expect([atLeast('SEV1', 'SEV2'), atLeast('SEV2', 'SEV2'), atLeast('SEV3', 'SEV2')]).toEqual([true, true, false]);
  });
});
