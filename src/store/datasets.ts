// Datasets: named streams of events inside an environment, created on first write.
// Names are case-insensitive: the lower-cased name is the identity, the first casing is shown.
import crypto from 'node:crypto';
import type { MetaStore } from './meta-store.js';
import type { Dataset } from './types.js';

export const DATASET_SCHEMA = [
  `CREATE TABLE datasets (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, slug TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (env_id, slug))`,
];

/** The name `__all__` means "every dataset" in queries, so no dataset may take it. */
export const ALL_DATASETS = '__all__';
const MAX_NAME = 255;

/** Returns a problem with the name, or undefined when it is acceptable. */
export function datasetNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'dataset name is empty';
  if (name.length > MAX_NAME) return `dataset name is longer than ${MAX_NAME} characters`;
  if (name.trim() !== name) return 'dataset name has leading or trailing spaces';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f/\\]/.test(name)) return 'dataset name contains a slash, backslash or control character';
  if (name.toLowerCase() === ALL_DATASETS) return `dataset name "${ALL_DATASETS}" is reserved`;
  return undefined;
}

export class DatasetRegistry {
  private cache = new Map<string, Dataset>();

  constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<DatasetRegistry> {
    await meta.migrate('datasets.v1', DATASET_SCHEMA);
    return new DatasetRegistry(meta);
  }

  async find(envId: string, name: string): Promise<Dataset | undefined> {
    const key = `${envId}\u0000${name.toLowerCase()}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const rows = await this.meta.query('SELECT * FROM datasets WHERE env_id = $1 AND slug = $2', [envId, name.toLowerCase()]);
    if (rows.length === 0) return undefined;
    const ds = toDataset(rows[0]);
    this.cache.set(key, ds);
    return ds;
  }

  /** The dataset with this name, created if it does not exist yet. The name must be valid. */
  async findOrCreate(envId: string, name: string): Promise<Dataset> {
    const found = await this.find(envId, name);
    if (found) return found;
    const ds: Dataset = {
      id: crypto.randomBytes(6).toString('hex'),
      envId,
      slug: name.toLowerCase(),
      name,
      createdAt: new Date().toISOString(),
    };
    // Another writer may create it first: then theirs is the one.
    const rows = await this.meta.query(
      'INSERT INTO datasets (id, env_id, slug, name, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (env_id, slug) DO NOTHING RETURNING id',
      [ds.id, ds.envId, ds.slug, ds.name, ds.createdAt],
    );
    if (rows.length === 0) return (await this.find(envId, name))!;
    this.cache.set(`${envId}\u0000${ds.slug}`, ds);
    return ds;
  }

  async list(envId: string): Promise<Dataset[]> {
    const rows = await this.meta.query('SELECT * FROM datasets WHERE env_id = $1 ORDER BY slug', [envId]);
    return rows.map(toDataset);
  }
}

function toDataset(r: Record<string, unknown>): Dataset {
  return {
    id: String(r.id),
    envId: String(r.env_id),
    slug: String(r.slug),
    name: String(r.name),
    createdAt: String(r.created_at),
  };
}
