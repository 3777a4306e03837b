// Checks as a capability: definitions from tend.yaml and the API, kept in the CheckStore and
// run by the CheckMonitor. The rule between file and API (docs/checks.md): a check declared
// in tend.yaml is managed by the file. The API can read it, run it, pause and resume it, but
// refuses to change or delete it (409); `tend checks apply` and every start make the file's
// version current again, and remove file-managed checks the file no longer declares.
// Checks created through the API are never touched by the file unless it declares the same
// name, in which case the file takes the check over.
// Changes run one at a time (create, replace, remove, apply): each checks names and heartbeat
// UUIDs against the loaded checks, then writes, and two interleaved would both pass the check.
import crypto from 'node:crypto';
import type { AuthService } from '../auth/index.js';
import { slugify } from '../auth/index.js';
import { badRequest, conflict, notFound } from '../http/index.js';
import { Serial, type Environment } from '../store/index.js';
import type { CheckRecord, CheckStore, StatusPageRecord } from './check-store.js';
import type { ChecksFile } from './config-file.js';
import { CheckDefinition, parseCheck } from './definition.js';
import type { PingKind } from './heartbeat.js';
import type { CheckResult } from './kinds/index.js';
import type { CheckMonitor, CheckView } from './monitor.js';
import type { PingFields } from './events.js';

export interface ApplySummary {
  environment: string;
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  heartbeats: { name: string; uuid: string }[];
  status_pages: string[];
}

export class ChecksService {
  private readonly changes = new Serial();

  constructor(
    private readonly store: CheckStore,
    private readonly monitor: CheckMonitor,
    private readonly auth: AuthService,
  ) {}

  /** Told after every change made through this node, so the other nodes load the checks again. */
  onChanged?: () => void;

  private change<T>(work: () => Promise<T>): Promise<T> {
    return this.changes.run(work).then((result) => {
      this.onChanged?.();
      return result;
    });
  }

  /** Loads every stored check into the monitor, with its saved state. */
  /** Watches the stored checks: all of them at start; again when another node may have changed them. */
  async load(): Promise<void> {
    const statuses = await this.store.statuses();
    const stored = await this.store.all(await this.auth.environments());
    const ids = new Set(stored.map((r) => r.id));
    for (const rec of this.monitor.records()) if (!ids.has(rec.id)) this.monitor.remove(rec.id);
    for (const rec of stored) this.monitor.upsert(rec, statuses.get(rec.id));
  }

  list(envId: string): CheckRecord[] {
    return this.monitor
      .records()
      .filter((r) => r.env.id === envId)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  find(envId: string, name: string): CheckRecord | undefined {
    return this.monitor.records().find((r) => r.env.id === envId && r.name === name);
  }

  get(envId: string, name: string): CheckRecord {
    const rec = this.find(envId, name);
    if (!rec) throw notFound(`no check named "${name}" in this environment`);
    return rec;
  }

  view(rec: CheckRecord): CheckView {
    return this.monitor.view(rec.id)!;
  }

  byUuid(uuid: string): CheckRecord | undefined {
    return this.monitor.byUuid(uuid);
  }

  create(env: Environment, input: unknown): Promise<CheckRecord> {
    const def = this.withUuid(parsed(input), undefined);
    return this.change(async () => {
      this.assertUuidFree(def, undefined);
      const rec = this.find(env.id, def.name) ? undefined : await this.store.insert(env, def, 'api');
      if (!rec) throw conflict(`name: a check named "${def.name}" already exists in this environment`);
      this.monitor.upsert(rec);
      return rec;
    });
  }

  replace(env: Environment, name: string, input: unknown): Promise<CheckRecord> {
    return this.change(() => this.replaceNow(env, name, input));
  }

  private async replaceNow(env: Environment, name: string, input: unknown): Promise<CheckRecord> {
    const rec = this.get(env.id, name);
    this.assertApiManaged(rec, 'changed');
    const body = input && typeof input === 'object' && !Array.isArray(input) ? { name, ...(input as object) } : input;
    const def = this.withUuid(parsed(body), rec);
    if (def.name !== name) throw badRequest(`name: renaming is not supported (the URL names "${name}")`);
    this.assertUuidFree(def, rec.id);
    const updated = await this.store.update(rec, def, 'api');
    this.monitor.upsert(updated);
    return updated;
  }

  remove(env: Environment, name: string): Promise<void> {
    return this.change(async () => {
      const rec = this.get(env.id, name);
      this.assertApiManaged(rec, 'deleted');
      await this.store.delete(rec.id);
      this.monitor.remove(rec.id);
    });
  }

  async run(env: Environment, name: string): Promise<CheckResult> {
    const rec = this.get(env.id, name);
    if (rec.kind === 'heartbeat') throw badRequest(`check "${name}" is a heartbeat: it is not run, it waits for pings`);
    return this.monitor.runNow(rec.id);
  }

  async setPaused(env: Environment, name: string, paused: boolean): Promise<CheckRecord> {
    const rec = this.get(env.id, name);
    await this.monitor.setPaused(rec.id, paused);
    return rec;
  }

  /** Resolves once the ping and what it changed are committed. */
  ping(rec: CheckRecord, kind: PingKind, opts: { rid?: string; exitStatus?: number }, fields: Omit<PingFields, 'name' | 'kind' | 'uuid' | 'durationMs'>): Promise<void> {
    return this.monitor.ping(rec.id, kind, opts, fields);
  }

  /** Creates a heartbeat from a ping with ?create=1, with healthchecks.io's defaults (1 day, 1 hour grace). */
  async autoProvision(env: Environment, name: string): Promise<CheckRecord> {
    return this.create(env, { name, kind: 'heartbeat', period: '1d', grace: '1h' });
  }

  rotatePingKey(env: Environment): Promise<string> {
    return this.store.rotatePingKey(env.id);
  }

  async envOfPingKey(key: string): Promise<Environment | undefined> {
    const envId = await this.store.envOfPingKey(key);
    return envId ? (await this.auth.environments()).find((e) => e.id === envId) : undefined;
  }

  page(slug: string): Promise<StatusPageRecord | undefined> {
    return this.store.page(slug);
  }

  pages(envId: string): Promise<StatusPageRecord[]> {
    return this.store.pages(envId);
  }

  /** Makes the file's checks and status pages current in `env`. Validates everything first. */
  apply(env: Environment, file: ChecksFile): Promise<ApplySummary> {
    return this.change(() => this.applyNow(env, file));
  }

  private async applyNow(env: Environment, file: ChecksFile): Promise<ApplySummary> {
    if (slugify(file.environment) !== env.slug) {
      throw badRequest(`environment: the file is for "${file.environment}" but this key reaches "${env.slug}"`);
    }
    const summary: ApplySummary = { environment: env.slug, created: [], updated: [], unchanged: [], deleted: [], heartbeats: [], status_pages: [] };
    const plan = file.checks.map((def, i) => {
      const existing = this.find(env.id, def.name);
      const full = this.withUuid(def, existing);
      this.assertUuidFree(full, existing?.id, `checks[${i}].uuid`);
      return { def: full, existing };
    });
    const declared = new Set(file.checks.map((c) => c.name));
    const known = new Set([...declared, ...this.list(env.id).filter((r) => r.source === 'api').map((r) => r.name)]);
    for (const [i, page] of file.statusPages.entries()) {
      const unknown = page.checks.filter((c) => !known.has(c));
      if (unknown.length) throw badRequest(`status_pages[${i}].checks: no check named ${unknown.map((u) => `"${u}"`).join(', ')}`);
      const taken = await this.store.page(page.slug);
      if (taken && taken.envId !== env.id) throw conflict(`status_pages[${i}].slug: "${page.slug}" is used by another environment`);
    }

    for (const [i, { def, existing }] of plan.entries()) {
      if (!existing) {
        const rec = await this.store.insert(env, def, 'file');
        if (!rec) throw conflict(`checks[${i}].name: a check named "${def.name}" already exists in this environment`);
        this.monitor.upsert(rec);
        summary.created.push(def.name);
      } else if (existing.source === 'file' && sameDefinition(existing.definition, def)) {
        summary.unchanged.push(def.name);
      } else {
        this.monitor.upsert(await this.store.update(existing, def, 'file'));
        summary.updated.push(def.name);
      }
      if (def.kind === 'heartbeat') summary.heartbeats.push({ name: def.name, uuid: def.uuid! });
    }
    for (const rec of this.list(env.id)) {
      if (rec.source === 'file' && !declared.has(rec.name)) {
        await this.store.delete(rec.id);
        this.monitor.remove(rec.id);
        summary.deleted.push(rec.name);
      }
    }
    const slugs = new Set(file.statusPages.map((p) => p.slug));
    for (const [i, page] of file.statusPages.entries()) {
      const saved = await this.store.savePage({ ...page, envId: env.id, source: 'file' });
      if (!saved) throw conflict(`status_pages[${i}].slug: "${page.slug}" is used by another environment`);
      summary.status_pages.push(page.slug);
    }
    for (const page of await this.store.pages(env.id)) {
      if (page.source === 'file' && !slugs.has(page.slug)) await this.store.deletePage(page.slug);
    }
    return summary;
  }

  private assertApiManaged(rec: CheckRecord, verb: string): void {
    if (rec.source === 'file') {
      throw conflict(`check "${rec.name}" is declared in tend.yaml and cannot be ${verb} through the API: edit the file and run \`tend checks apply\``);
    }
  }

  /** Heartbeats keep the uuid they were given, or the one they already had, or get a new one. */
  private withUuid(def: CheckDefinition, existing: CheckRecord | undefined): CheckDefinition {
    if (def.kind !== 'heartbeat' || def.uuid) return def;
    const old = existing?.definition.kind === 'heartbeat' ? existing.definition.uuid : undefined;
    return { ...def, uuid: old ?? crypto.randomUUID() };
  }

  private assertUuidFree(def: CheckDefinition, ownId: string | undefined, field = 'uuid'): void {
    if (def.kind !== 'heartbeat') return;
    const holder = this.monitor.byUuid(def.uuid!);
    if (holder && holder.id !== ownId) throw conflict(`${field}: ${def.uuid} is already used by another heartbeat`);
  }
}

/** A definition from an API body. Reading files on the server (ca_file) is left to tend.yaml. */
function parsed(input: unknown): CheckDefinition {
  const r = parseCheck(input);
  if (!r.ok) throw badRequest(r.problem);
  if ('ca_file' in r.check && r.check.ca_file !== undefined) {
    throw badRequest('ca_file: names a file on the server, so it is accepted in tend.yaml only');
  }
  return r.check;
}

/** Equal definitions, whatever order their keys were written in. */
function sameDefinition(a: CheckDefinition, b: CheckDefinition): boolean {
  return JSON.stringify(CheckDefinition.parse(a)) === JSON.stringify(CheckDefinition.parse(b));
}
