// The nodes sharing one metadata store: each node records itself every few seconds (its URL, when
// it was last seen, the hash of the tend.yaml it runs), so any node can say which nodes are alive,
// which of them owns which once-only work (the leases), and whose tend.yaml differs.
import fs from 'node:fs';
import crypto from 'node:crypto';
import type { Leases, MetaStore } from '../store/index.js';

const SCHEMA = [
  `CREATE TABLE cluster_nodes (id TEXT PRIMARY KEY, url TEXT NOT NULL, started_at TEXT NOT NULL, last_seen_ms BIGINT NOT NULL, config_hash TEXT NOT NULL, config_at_ms BIGINT NOT NULL)`,
];

/** How often a node records itself; a node unseen for three beats is taken for dead. */
export const BEAT_MS = 3_000;

export interface ClusterNode {
  id: string;
  url: string;
  started_at: string;
  last_seen: string;
  alive: boolean;
  /** sha256 of the tend.yaml the node read last (at start or reload); "none" without a file. */
  config_hash: string;
  /** True when this hash is not the one most recently read by any live node. */
  config_differs: boolean;
  /** Once-only work this node holds a lease for now (check scheduling, trigger evaluation...). */
  owns: string[];
}

/** sha256 of a file's bytes, or "none" when there is no file. */
export function configHash(file: string | undefined): string {
  if (!file || !fs.existsSync(file)) return 'none';
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export class ClusterRegistry {
  private constructor(
    private readonly meta: MetaStore,
    private readonly leases: Leases,
    readonly nodeId: string,
    private readonly startedAt: string,
  ) {}

  static async open(meta: MetaStore, leases: Leases, nodeId: string): Promise<ClusterRegistry> {
    await meta.migrate('cluster.v1', SCHEMA);
    return new ClusterRegistry(meta, leases, nodeId, new Date().toISOString());
  }

  /** Records this node as seen now; `configAtMs` is when it last read tend.yaml. */
  async beat(url: string, hash: string, configAtMs: number, now = Date.now()): Promise<void> {
    await this.meta.query(
      `INSERT INTO cluster_nodes (id, url, started_at, last_seen_ms, config_hash, config_at_ms) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, started_at = excluded.started_at, last_seen_ms = excluded.last_seen_ms,
         config_hash = excluded.config_hash, config_at_ms = excluded.config_at_ms`,
      [this.nodeId, url, this.startedAt, now, hash, configAtMs],
    );
  }

  async nodes(now = Date.now()): Promise<ClusterNode[]> {
    const rows = await this.meta.query('SELECT * FROM cluster_nodes ORDER BY id');
    const held = await this.leases.held(now);
    const alive = (r: (typeof rows)[number]) => Number(r.last_seen_ms) >= now - 3 * BEAT_MS;
    // The file every node should run: the one a live node read most recently (a reload wins).
    const latest = rows.filter(alive).sort((a, b) => Number(b.config_at_ms) - Number(a.config_at_ms))[0];
    return rows.map((r) => ({
      id: String(r.id),
      url: String(r.url),
      started_at: String(r.started_at),
      last_seen: new Date(Number(r.last_seen_ms)).toISOString(),
      alive: alive(r),
      config_hash: String(r.config_hash),
      config_differs: latest !== undefined && r.config_hash !== latest.config_hash,
      owns: held.filter((l) => l.owner === r.id).map((l) => l.name),
    }));
  }
}
