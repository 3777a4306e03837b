// tend.yaml's ownership blocks: `teams:`, `services:`, `schedules:`, `escalation_policies:`,
// `handoff:`, `scorecards:`, `paging:` and `incidents:`. Read at start; every problem is
// reported with its place in the file before anything is applied.
import path from 'node:path';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../alerts/index.js';
import { fieldPath } from '../http/index.js';
import { readConfigText } from '../config-file.js';

export class OwnershipConfigError extends Error {}

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];
const Sev = z.enum(SEVERITIES);

const Name = z.string().min(1).max(100).regex(/^[A-Za-z0-9][\w.-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');
const Email = z.string().email().transform((e) => e.trim().toLowerCase());
const Link = z.object({ title: z.string().optional(), url: z.string().url(), type: z.string().optional() });
const Duration = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, 'expected a duration such as 10m or 1h');

export const TeamInput = z.strictObject({
  name: Name,
  description: z.string().optional(),
  members: z.array(Email).default([]),
  channel: z.string().optional(),
  receiver: z.string().optional(),
});
export type Team = z.infer<typeof TeamInput> & { imported?: boolean };

export const ServiceInput = z.strictObject({
  name: Name,
  owner: z.string().min(1),
  /** The team that built it: handed back to when it breaks the handoff rule (default: the owner). */
  builders: z.string().optional(),
  description: z.string().optional(),
  tier: z.number().int().min(1).max(4).default(3),
  datasets: z.array(z.string()).default([]),
  checks: z.array(z.string()).default([]),
  triggers: z.array(z.string()).default([]),
  slos: z.array(z.string()).default([]),
  depends_on: z.array(z.string()).default([]),
  links: z.array(Link).default([]),
  runbook: z.string().optional(),
  lifecycle: z.string().default('production'),
  schedule: z.string().optional(),
  escalation_policy: z.string().optional(),
  /** Alert `severity` label -> incident severity, over the default mapping. */
  severity_map: z.record(z.string(), Sev).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  /** Capacity limits: read and checked by src/capacity. */
  capacity: z.unknown().optional(),
});
export type Service = z.infer<typeof ServiceInput> & { imported?: boolean };

const Day = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
export const Restriction = z.strictObject({ days: z.array(Day).default(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']), from: Clock, to: Clock });
export type Restriction = z.infer<typeof Restriction>;
const Rotation = z.string().regex(/^\d+[hdw]$/, 'expected a rotation such as 12h, 1d or 1w');

export const LayerInput = z.strictObject({
  name: Name,
  members: z.array(Email).min(1),
  start: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/, 'expected a local time such as 2026-01-05T09:00'),
  rotation: Rotation,
  time_zone: z.string().optional(),
  restrictions: z.array(Restriction).default([]),
});
export type Layer = z.infer<typeof LayerInput>;

export const ScheduleInput = z.strictObject({
  name: Name,
  description: z.string().optional(),
  time_zone: z.string().default('UTC'),
  layers: z.array(LayerInput).min(1),
});
export type Schedule = z.infer<typeof ScheduleInput>;

const Target = z.union([
  z.strictObject({ person: Email }),
  z.strictObject({ schedule: z.string() }),
  z.strictObject({ team: z.string() }),
]);
export type Target = z.infer<typeof Target>;
export const PolicyInput = z.strictObject({
  name: Name,
  /** The policy runs through its steps once, then again this many times while unacknowledged. */
  repeat: z.number().int().min(0).max(20).default(0),
  steps: z.array(z.strictObject({ notify: Target, wait: Duration.default('10m') })).min(1),
});
export type Policy = z.infer<typeof PolicyInput>;

export const DEFAULT_SECTIONS = [
  'overview', 'architecture and dependencies', 'dashboards and queries', 'alerts and what to do for each',
  'deploy and rollback', 'backup and restore', 'contacts and escalation',
];
const Requirements = z.strictObject({
  runbook: z.boolean().default(true),
  schedule: z.boolean().default(true),
  checks: z.number().int().min(0).default(1),
  slo: z.boolean().default(false),
});
export type Requirements = z.infer<typeof Requirements>;
export const HandoffInput = z.strictObject({
  max_faults: z.number().int().min(0).default(3),
  weeks: z.number().int().min(1).max(52).default(4),
  severity_at_least: Sev.default('SEV2'),
  require: Requirements.prefault({}),
  runbook_sections: z.array(z.string().min(1)).min(1).default(DEFAULT_SECTIONS),
});
export type Handoff = z.infer<typeof HandoffInput>;

// A level names only what it asks for (nothing is required by default).
const LevelRequirements = z.strictObject({ runbook: z.boolean().optional(), schedule: z.boolean().optional(), checks: z.number().int().min(0).optional(), slo: z.boolean().optional() });
const Level = z.strictObject({ name: z.string().min(1), require: LevelRequirements.default({}), max_faults: z.number().int().min(0).optional() });
export type ScorecardLevel = z.infer<typeof Level>;

const FileShape = z.object({
  environment: z.string().default('production'),
  teams: z.array(z.unknown()).default([]),
  services: z.array(z.unknown()).default([]),
  schedules: z.array(z.unknown()).default([]),
  escalation_policies: z.array(z.unknown()).default([]),
  handoff: z.unknown().optional(),
  scorecards: z.array(z.unknown()).default([]),
  paging: z.strictObject({ receiver: z.string().optional(), link_ttl: Duration.default('24h') }).prefault({}),
  incidents: z.strictObject({ customer_field: z.string().default('customer_id'), slow_ms: z.number().positive().default(1000) }).prefault({}),
});

export interface OwnershipFile {
  environment: string;
  /** Folder runbook paths are relative to. */
  baseDir: string;
  teams: Team[];
  services: Service[];
  schedules: Schedule[];
  policies: Policy[];
  handoff: Handoff;
  scorecards: ScorecardLevel[];
  paging: { receiver?: string; linkTtlMs: number };
  incidents: { customer_field: string; slow_ms: number };
}

export function checkShape<S extends z.ZodType>(schema: S, value: unknown, where: string, label: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const p = fieldPath(issue.path, '');
    throw new OwnershipConfigError(`${label}: ${where}${p && !p.startsWith('[') ? '.' : ''}${p}: ${issue.message}`);
  }
  return r.data;
}

function unique(names: string[], where: string, label: string): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw new OwnershipConfigError(`${label}: ${where}[${i}].name: "${n}" is declared twice`);
    seen.add(n);
  });
}

export const validZone = (zone: string) => DateTime.now().setZone(zone).isValid;

export function emptyOwnership(baseDir = '.'): OwnershipFile {
  return parseOwnershipFile('{}', 'tend.yaml', baseDir);
}

export function parseOwnershipFile(text: string, label = 'tend.yaml', baseDir = '.'): OwnershipFile {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new OwnershipConfigError(`${label}: not valid YAML: ${(err as Error).message}`);
  }
  const shape = checkShape(FileShape, doc, 'tend.yaml', label);
  const teams = shape.teams.map((t, i) => checkShape(TeamInput, t, `teams[${i}]`, label));
  const services = shape.services.map((s, i) => checkShape(ServiceInput, s, `services[${i}]`, label));
  const schedules = shape.schedules.map((s, i) => checkShape(ScheduleInput, s, `schedules[${i}]`, label));
  const policies = shape.escalation_policies.map((p, i) => checkShape(PolicyInput, p, `escalation_policies[${i}]`, label));
  unique(teams.map((t) => t.name), 'teams', label);
  unique(services.map((s) => s.name), 'services', label);
  unique(schedules.map((s) => s.name), 'schedules', label);
  unique(policies.map((s) => s.name), 'escalation_policies', label);
  const teamNames = new Set(teams.map((t) => t.name));
  const scheduleNames = new Set(schedules.map((s) => s.name));
  const policyNames = new Set(policies.map((p) => p.name));
  services.forEach((s, i) => {
    const at = `${label}: services[${i}]`;
    if (!teamNames.has(s.owner)) throw new OwnershipConfigError(`${at}.owner: no team named "${s.owner}" in teams`);
    if (s.builders && !teamNames.has(s.builders)) throw new OwnershipConfigError(`${at}.builders: no team named "${s.builders}" in teams`);
    if (s.schedule && !scheduleNames.has(s.schedule)) throw new OwnershipConfigError(`${at}.schedule: no schedule named "${s.schedule}" in schedules`);
    if (s.escalation_policy && !policyNames.has(s.escalation_policy)) throw new OwnershipConfigError(`${at}.escalation_policy: no policy named "${s.escalation_policy}" in escalation_policies`);
  });
  schedules.forEach((s, i) => {
    if (!validZone(s.time_zone)) throw new OwnershipConfigError(`${label}: schedules[${i}].time_zone: unknown time zone "${s.time_zone}"`);
    s.layers.forEach((l, j) => {
      if (l.time_zone && !validZone(l.time_zone)) throw new OwnershipConfigError(`${label}: schedules[${i}].layers[${j}].time_zone: unknown time zone "${l.time_zone}"`);
    });
    unique(s.layers.map((l) => l.name), `schedules[${i}].layers`, label);
  });
  policies.forEach((p, i) =>
    p.steps.forEach((st, j) => {
      const at = `${label}: escalation_policies[${i}].steps[${j}].notify`;
      if ('schedule' in st.notify && !scheduleNames.has(st.notify.schedule)) throw new OwnershipConfigError(`${at}.schedule: no schedule named "${st.notify.schedule}"`);
      if ('team' in st.notify && !teamNames.has(st.notify.team)) throw new OwnershipConfigError(`${at}.team: no team named "${st.notify.team}"`);
    }),
  );
  return {
    environment: shape.environment,
    baseDir,
    teams,
    services,
    schedules,
    policies,
    handoff: checkShape(HandoffInput, shape.handoff ?? {}, 'handoff', label),
    scorecards: shape.scorecards.map((l, i) => checkShape(Level, l, `scorecards[${i}]`, label)),
    paging: { receiver: shape.paging.receiver, linkTtlMs: parseDuration(shape.paging.link_ttl)! },
    incidents: shape.incidents,
  };
}

/** Teams and paging name receivers of `alerting.receivers`: each must exist. */
export function checkReceivers(f: OwnershipFile, receivers: string[], label = 'tend.yaml'): void {
  const known = new Set(receivers);
  f.teams.forEach((t, i) => {
    if (t.receiver && !known.has(t.receiver)) throw new OwnershipConfigError(`${label}: teams[${i}].receiver: no receiver named "${t.receiver}" in alerting.receivers`);
  });
  if (f.paging.receiver && !known.has(f.paging.receiver)) throw new OwnershipConfigError(`${label}: paging.receiver: no receiver named "${f.paging.receiver}" in alerting.receivers`);
}

/** Reads the file; the empty catalog when it does not exist and `optional`. */
export function readOwnershipFile(file: string, optional: boolean): OwnershipFile {
  const text = readConfigText(file, optional);
  if (text === undefined) return emptyOwnership(path.dirname(path.resolve(file)));
  return parseOwnershipFile(text, file, path.dirname(path.resolve(file)));
}
