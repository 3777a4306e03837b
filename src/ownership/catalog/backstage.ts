// Backstage catalog files (catalog-info.yaml, several documents each) -> Tend's `teams:` and
// `services:`. Group -> team (members by the email of their User entities); Component, API
// and System -> service (spec.owner, spec.dependsOn, spec.lifecycle, metadata.links and
// metadata.annotations kept; `tend.dev/*` annotations fill Tend's own fields).
import { parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';
import { ServiceInput, TeamInput, type Service, type Team } from '../config.js';

const Entity = z.object({
  apiVersion: z.string().optional(),
  kind: z.string(),
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    annotations: z.record(z.string(), z.string()).default({}),
    links: z.array(z.object({ url: z.string(), title: z.string().optional(), type: z.string().optional(), icon: z.string().optional() })).default([]),
  }),
  spec: z.record(z.string(), z.unknown()).default({}),
});
type Entity = z.infer<typeof Entity>;

export interface BackstageResult {
  teams: Team[];
  services: Service[];
  /** What was left out or guessed, one line each. */
  notes: string[];
}

export class BackstageError extends Error {}

/** `group:default/payments` -> `payments`. */
export const refName = (ref: string) => ref.replace(/^[^:/]+:/, '').replace(/^[^/]+\//, '');
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const list = (v: string | undefined) => (v ? v.split(',').map((x) => x.trim()).filter(Boolean) : []);

export function parseBackstage(files: { name: string; text: string }[]): BackstageResult {
  const entities: Entity[] = [];
  const notes: string[] = [];
  for (const f of files) {
    parseAllDocuments(f.text).forEach((doc, i) => {
      if (doc.errors.length) throw new BackstageError(`${f.name}: document ${i + 1}: ${doc.errors[0].message}`);
      const raw = doc.toJS();
      if (raw == null) return;
      const r = Entity.safeParse(raw);
      if (!r.success) throw new BackstageError(`${f.name}: document ${i + 1}: ${r.error.issues[0].path.join('.') || 'entity'}: ${r.error.issues[0].message}`);
      entities.push(r.data);
    });
  }
  const emails = new Map<string, string>();
  for (const e of entities.filter((x) => x.kind === 'User')) {
    const email = str((e.spec.profile as Record<string, unknown> | undefined)?.email);
    if (email) emails.set(e.metadata.name, email.toLowerCase());
  }
  const teams: Team[] = [];
  for (const g of entities.filter((x) => x.kind === 'Group')) {
    const members: string[] = [];
    for (const m of (g.spec.members as unknown[] | undefined) ?? []) {
      const name = refName(String(m));
      const email = emails.get(name) ?? (name.includes('@') ? name.toLowerCase() : undefined);
      if (email) members.push(email);
      else notes.push(`group ${g.metadata.name}: member ${String(m)} has no User entity with spec.profile.email: left out`);
    }
    const a = g.metadata.annotations;
    const channel = a['slack.com/channel'] ?? a['tend.dev/channel'];
    teams.push(TeamInput.parse({
      name: g.metadata.name, description: g.metadata.description ?? str((g.spec.profile as Record<string, unknown> | undefined)?.displayName),
      members, ...(channel ? { channel } : {}), ...(a['tend.dev/receiver'] ? { receiver: a['tend.dev/receiver'] } : {}),
    }));
  }
  const services: Service[] = [];
  const systems = new Map<string, string[]>();
  for (const c of entities.filter((x) => x.kind === 'Component' && str(x.spec.system))) {
    const sys = refName(str(c.spec.system)!);
    systems.set(sys, [...(systems.get(sys) ?? []), c.metadata.name]);
  }
  for (const e of entities.filter((x) => ['Component', 'API', 'System'].includes(x.kind))) {
    const a = e.metadata.annotations;
    const owner = str(e.spec.owner);
    if (!owner) {
      notes.push(`${e.kind} ${e.metadata.name}: no spec.owner: left out`);
      continue;
    }
    const dependsOn = ((e.spec.dependsOn as unknown[] | undefined) ?? []).map((d) => refName(String(d)));
    const runbookLink = e.metadata.links.find((l) => l.type === 'runbook' || /runbook/i.test(l.title ?? ''));
    const tier = Number(a['tend.dev/tier']);
    const parsed = ServiceInput.safeParse({
      name: e.metadata.name,
      owner: refName(owner),
      description: e.metadata.description,
      ...(tier >= 1 && tier <= 4 ? { tier } : {}),
      lifecycle: str(e.spec.lifecycle) ?? 'production',
      depends_on: e.kind === 'System' ? [...dependsOn, ...(systems.get(e.metadata.name) ?? [])] : dependsOn,
      links: e.metadata.links.filter((l) => /^https?:\/\//.test(l.url)).map((l) => ({ url: l.url, ...(l.title ? { title: l.title } : {}), ...(l.type ? { type: l.type } : {}) })),
      datasets: list(a['tend.dev/datasets']),
      checks: list(a['tend.dev/checks']),
      slos: list(a['tend.dev/slos']),
      triggers: list(a['tend.dev/triggers']),
      ...(a['tend.dev/runbook'] ?? runbookLink?.url ? { runbook: a['tend.dev/runbook'] ?? runbookLink!.url } : {}),
      ...(a['tend.dev/schedule'] ? { schedule: a['tend.dev/schedule'] } : {}),
      ...(a['tend.dev/escalation-policy'] ? { escalation_policy: a['tend.dev/escalation-policy'] } : {}),
      annotations: { ...a, 'backstage.io/kind': e.kind, ...(str(e.spec.type) ? { 'backstage.io/type': str(e.spec.type)! } : {}), ...(str(e.spec.system) ? { 'backstage.io/system': refName(str(e.spec.system)!) } : {}) },
    });
    if (!parsed.success) {
      notes.push(`${e.kind} ${e.metadata.name}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}: left out`);
      continue;
    }
    services.push(parsed.data);
  }
  const known = new Set(teams.map((t) => t.name));
  for (const s of services) if (!known.has(s.owner)) notes.push(`service ${s.name}: owner ${s.owner} is not among the imported groups`);
  return { teams, services, notes };
}

/** The `teams:` and `services:` to paste into tend.yaml (defaults left out). */
export function toTendYaml(r: BackstageResult): string {
  const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && !v.length) && !(v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length)));
  return stringify({ teams: r.teams.map((t) => drop({ ...t })), services: r.services.map((s) => drop({ ...s })) }, { lineWidth: 0 });
}
