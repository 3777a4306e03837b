// The nodes sharing one metadata store: each node records itself every few seconds (its URL, when
// it was last seen, the hash of the tend.yaml it runs), so any node can say which nodes are alive,
// which of them owns which once-only work (the leases), and whose tend.yaml differs.
import fs from 'node:fs';
import crypto from 'node:crypto';
import type { Leases, MetaStore } from '../store/index.js';

const SCHEMA = [
  `CREATE TABLE cluster_nodes (id TEXT PRIMARY KEY, url TEXT NOT NULL, started_at TEXT NOT NULL, last_seen_ms BIGINT NOT NULL, config_hash TEXT NOT NULL, config_at_ms BIGINT NOT NULL)`,
];
/** The tend.yaml every node should run: recorded by the first start and by every reload. */
const SCHEMA_V2 = [`CREATE TABLE cluster_config (name TEXT PRIMARY KEY, hash TEXT NOT NULL, at_ms BIGINT NOT NULL, node TEXT NOT NULL)`];
const CONFIG = 'tend.yaml';

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
  /** When the node last read it: at start or at a reload. */
  config_read_at: string;
  /** True when this hash is not the one the cluster runs (recorded by the last reload). */
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
    await meta.migrate('cluster.v2', SCHEMA_V2);
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

  /**
   * Records `hash` as the tend.yaml the cluster runs: always on a reload, at start only when
   * nothing is recorded yet (the first node's file is the cluster's until a reload says otherwise).
   */
  async recordConfig(hash: string, reload: boolean, now = Date.now()): Promise<void> {
    await this.meta.query(
      `INSERT INTO cluster_config (name, hash, at_ms, node) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO ${reload ? 'UPDATE SET hash = excluded.hash, at_ms = excluded.at_ms, node = excluded.node' : 'NOTHING'}`,
      [CONFIG, hash, now, this.nodeId],
    );
  }

  /** The hash the cluster runs, and which node's reload recorded it. */
  async config(): Promise<{ hash: string; node: string; at: string } | undefined> {
    const rows = await this.meta.query('SELECT hash, node, at_ms FROM cluster_config WHERE name = $1', [CONFIG]);
    return rows.length ? { hash: String(rows[0].hash), node: String(rows[0].node), at: new Date(Number(rows[0].at_ms)).toISOString() } : undefined;
  }

  async nodes(now = Date.now()): Promise<ClusterNode[]> {
    const rows = await this.meta.query('SELECT * FROM cluster_nodes ORDER BY id');
    const held = await this.leases.held(now);
    const alive = (r: (typeof rows)[number]) => Number(r.last_seen_ms) >= now - 3 * BEAT_MS;
    const latest = await this.config();
    return rows.map((r) => ({
      id: String(r.id),
      url: String(r.url),
      started_at: String(r.started_at),
      last_seen: new Date(Number(r.last_seen_ms)).toISOString(),
      alive: alive(r),
      config_hash: String(r.config_hash),
      config_read_at: new Date(Number(r.config_at_ms)).toISOString(),
      config_differs: latest !== undefined && r.config_hash !== latest.hash,
      owns: held.filter((l) => l.owner === r.id).map((l) => l.name),
    }));
  }
}
