// The catalog of one node: teams, services, schedules and escalation policies from tend.yaml
// (for the file's environment), plus teams and services imported through the API (Backstage
// catalog files), kept in the metadata store per environment and marked as imported. A name
// declared in tend.yaml wins over an imported one.
import type { Alert } from '../../alerts/index.js';
import type { MetaStore } from '../../store/index.js';
import type { OwnershipFile, Policy, Schedule, Service, Team } from '../config.js';

const SCHEMA = [
  `CREATE TABLE ownership_imports (env_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, imported_at BIGINT NOT NULL, PRIMARY KEY (env_id, kind, name))`,
];

export class Catalog {
  private imported = new Map<string, { teams: Map<string, Team>; services: Map<string, Service> }>();

  private constructor(private readonly meta: MetaStore, private file_: OwnershipFile, private fileEnvId_: string) {}

  static async open(meta: MetaStore, file: OwnershipFile, fileEnvId: string): Promise<Catalog> {
    await meta.migrate('ownership.imports.v1', SCHEMA);
    const c = new Catalog(meta, file, fileEnvId);
    await c.load();
    return c;
  }

  /** tend.yaml's ownership sections, as last applied (at start or by a reload). */
  get file(): OwnershipFile {
    return this.file_;
  }

  get fileEnvId(): string {
    return this.fileEnvId_;
  }

  /** A reload: what tend.yaml declares now. */
  setFile(file: OwnershipFile, fileEnvId: string): void {
    this.file_ = file;
    this.fileEnvId_ = fileEnvId;
  }

  /** Told after an import through this node, so the other nodes load() again. */
  onImported?: () => void;

  /** Reads the imported entries from the store: at start, and after an import through another node. */
  async load(): Promise<void> {
    const rows = await this.meta.query('SELECT * FROM ownership_imports');
    this.imported = new Map();
    for (const r of rows) this.keep(String(r.env_id), String(r.kind), { ...JSON.parse(String(r.body)), imported: true });
  }

  private keep(envId: string, kind: string, o: Team | Service): void {
    let e = this.imported.get(envId);
    if (!e) this.imported.set(envId, (e = { teams: new Map(), services: new Map() }));
    if (kind === 'team') e.teams.set(o.name, o as Team);
    else e.services.set(o.name, o as Service);
  }

  /** Adds (or replaces) imported entries; those tend.yaml declares are left out and named. */
  async import(envId: string, teams: Team[], services: Service[], now = Date.now()): Promise<{ added: string[]; skipped: string[] }> {
    const ours = (kind: 'team' | 'service', name: string) =>
      envId === this.fileEnvId && (kind === 'team' ? this.file.teams : this.file.services).some((x) => x.name === name);
    const added: string[] = [];
    const skipped: string[] = [];
    const statements = [];
    for (const [kind, list] of [['team', teams], ['service', services]] as const) {
      for (const o of list) {
        if (ours(kind, o.name)) {
          skipped.push(`${kind} ${o.name} (declared in tend.yaml)`);
          continue;
        }
        added.push(`${kind} ${o.name}`);
        statements.push({
          sql: `INSERT INTO ownership_imports (env_id, kind, name, body, imported_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (env_id, kind, name) DO UPDATE SET body = excluded.body, imported_at = excluded.imported_at`,
          params: [envId, kind, o.name, JSON.stringify(o), now],
        });
      }
    }
    if (statements.length) await this.meta.transaction(statements);
    for (const t of teams) if (!ours('team', t.name)) this.keep(envId, 'team', { ...t, imported: true });
    for (const s of services) if (!ours('service', s.name)) this.keep(envId, 'service', { ...s, imported: true });
    if (statements.length) this.onImported?.();
    return { added, skipped };
  }

  teams(envId: string): Team[] {
    const own = envId === this.fileEnvId ? this.file.teams : [];
    const names = new Set(own.map((t) => t.name));
    return [...own, ...[...(this.imported.get(envId)?.teams.values() ?? [])].filter((t) => !names.has(t.name))];
  }

  services(envId: string): Service[] {
    const own = envId === this.fileEnvId ? this.file.services : [];
    const names = new Set(own.map((s) => s.name));
    return [...own, ...[...(this.imported.get(envId)?.services.values() ?? [])].filter((s) => !names.has(s.name))];
  }

  team(envId: string, name: string): Team | undefined {
    return this.teams(envId).find((t) => t.name === name);
  }

  service(envId: string, name: string): Service | undefined {
    return this.services(envId).find((s) => s.name === name);
  }

  schedules(envId: string): Schedule[] {
    return envId === this.fileEnvId ? this.file.schedules : [];
  }

  schedule(envId: string, name: string): Schedule | undefined {
    return this.schedules(envId).find((s) => s.name === name);
  }

  policy(envId: string, name: string): Policy | undefined {
    return envId === this.fileEnvId ? this.file.policies.find((p) => p.name === name) : undefined;
  }

  /** What a service can raise: alert names of its checks, triggers and SLOs. */
  alertNames(s: Service): string[] {
    return [...s.checks, ...s.triggers, ...s.slos];
  }

  /**
   * The service an alert belongs to: its `service` label when that names one, else the service
   * that lists the check, trigger or SLO that raised it.
   */
  serviceOf(envId: string, alert: Pick<Alert, 'labels' | 'source'>): Service | undefined {
    const services = this.services(envId);
    const l = alert.labels;
    if (l.service) {
      const named = services.find((s) => s.name === l.service);
      if (named) return named;
    }
    if (alert.source === 'check') return services.find((s) => s.checks.includes(l.alertname));
    if (alert.source === 'slo') return services.find((s) => s.slos.includes(l.slo ?? l.alertname));
    if (alert.source === 'trigger') return services.find((s) => s.triggers.includes(l.alertname));
    return undefined;
  }
}
