// Derived columns (Honeycomb's name for calculated fields kept on a dataset): an alias and an
// expression in the derived-column language, per dataset or for every dataset of the
// environment (`__all__`). SLIs name them by alias (`sli: {alias}`), as in Honeycomb.
import crypto from 'node:crypto';
import { z } from 'zod';
import { ALL_DATASETS, type MetaStore, type Row } from '../store/index.js';

const SCHEMA = [
  `CREATE TABLE derived_columns (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, dataset TEXT NOT NULL, alias TEXT NOT NULL, expression TEXT NOT NULL, description TEXT NOT NULL, managed_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
];

export const DerivedColumnInput = z.object({
  alias: z.string().min(1).max(255),
  expression: z.string().min(1).max(10_000),
  description: z.string().max(1023).default(''),
});
export type DerivedColumnInput = z.infer<typeof DerivedColumnInput>;

export interface DerivedColumn extends DerivedColumnInput {
  id: string;
  envId: string;
  /** Lower-cased dataset name, or `__all__`. */
  dataset: string;
  managedBy: 'file' | 'api';
  createdAt: number;
  updatedAt: number;
}

const toColumn = (r: Row): DerivedColumn => ({
  id: String(r.id), envId: String(r.env_id), dataset: String(r.dataset), alias: String(r.alias), expression: String(r.expression),
  description: String(r.description), managedBy: r.managed_by as DerivedColumn['managedBy'], createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

export function derivedColumnJson(c: DerivedColumn) {
  return { id: c.id, alias: c.alias, expression: c.expression, description: c.description, created_at: new Date(c.createdAt).toISOString(), updated_at: new Date(c.updatedAt).toISOString() };
}

/** Kept in memory (few, read at every evaluation) and in the metadata store. */
export class DerivedColumns {
  private byId = new Map<string, DerivedColumn>();

  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<DerivedColumns> {
    await meta.migrate('slos.derived_columns.v1', SCHEMA);
    const d = new DerivedColumns(meta);
    await d.load();
    return d;
  }

  /** Told after every column stored or removed here, so the other nodes load() again. */
  onChanged?: () => void;

  /** Reads every column from the store: at start, and when another node changed one. */
  async load(): Promise<void> {
    this.byId = new Map((await this.meta.query('SELECT * FROM derived_columns')).map((r) => [String(r.id), toColumn(r)]));
  }

  list(envId: string, dataset: string): DerivedColumn[] {
    const ds = dataset.toLowerCase();
    return [...this.byId.values()].filter((c) => c.envId === envId && c.dataset === ds).sort((a, b) => (a.alias < b.alias ? -1 : 1));
  }

  get(envId: string, dataset: string, id: string): DerivedColumn | undefined {
    const c = this.byId.get(id);
    return c && c.envId === envId && c.dataset === dataset.toLowerCase() ? c : undefined;
  }

  /** The expression an alias stands for on a dataset: the dataset's own, else the environment's. */
  resolve(envId: string, dataset: string, alias: string): DerivedColumn | undefined {
    return this.list(envId, dataset).find((c) => c.alias === alias) ?? this.list(envId, ALL_DATASETS).find((c) => c.alias === alias);
  }

  async put(envId: string, dataset: string, input: DerivedColumnInput, managedBy: DerivedColumn['managedBy'], id = crypto.randomBytes(6).toString('base64url')): Promise<DerivedColumn> {
    const old = this.byId.get(id);
    const now = Date.now();
    const c: DerivedColumn = { ...input, id, envId, dataset: dataset.toLowerCase(), managedBy, createdAt: old?.createdAt ?? now, updatedAt: now };
    await this.meta.query(
      `INSERT INTO derived_columns (id, env_id, dataset, alias, expression, description, managed_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO UPDATE SET alias = excluded.alias, expression = excluded.expression, description = excluded.description, managed_by = excluded.managed_by, updated_at = excluded.updated_at`,
      [c.id, envId, c.dataset, c.alias, c.expression, c.description, managedBy, c.createdAt, c.updatedAt],
    );
    this.byId.set(id, c);
    this.onChanged?.();
    return c;
  }

  async remove(id: string): Promise<void> {
    await this.meta.query('DELETE FROM derived_columns WHERE id = $1', [id]);
    this.byId.delete(id);
    this.onChanged?.();
  }

  /** Makes the environment's file-managed derived columns exactly `inputs` (by dataset and alias). */
  async applyFile(envId: string, inputs: (DerivedColumnInput & { dataset: string })[]): Promise<void> {
    const existing = new Map([...this.byId.values()].filter((c) => c.envId === envId && c.managedBy === 'file').map((c) => [`${c.dataset}/${c.alias}`, c]));
    for (const input of inputs) {
      const key = `${input.dataset.toLowerCase()}/${input.alias}`;
      const old = existing.get(key) ?? this.resolveExact(envId, input.dataset, input.alias);
      existing.delete(key);
      await this.put(envId, input.dataset, { alias: input.alias, expression: input.expression, description: input.description }, 'file', old?.id);
    }
    for (const gone of existing.values()) await this.remove(gone.id);
  }

  private resolveExact(envId: string, dataset: string, alias: string): DerivedColumn | undefined {
    return this.list(envId, dataset).find((c) => c.alias === alias);
  }
}
