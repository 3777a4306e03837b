// The cluster capability: nodes sharing one metadata store record themselves, and
// GET /api/v1/cluster lists them with the work each owns (docs/scale-out.md).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Leases, type MetaStore } from '../store/index.js';
import { BEAT_MS, ClusterRegistry, configHash } from './registry.js';

export { ClusterRegistry, configHash, type ClusterNode } from './registry.js';

export interface ClusterDeps {
  meta: MetaStore;
  nodeId: string;
  /** tend.yaml, whose hash every node records so one whose file differs shows. */
  configFile?: string;
  log: FastifyBaseLogger;
}

export interface Cluster {
  registry: ClusterRegistry;
  register(app: FastifyInstance): void;
  /** Starts recording this node, reachable at `url`. */
  start(url: string): Promise<void>;
  stop(): void;
}

export async function startCluster(d: ClusterDeps): Promise<Cluster> {
  const registry = await ClusterRegistry.open(d.meta, await Leases.open(d.meta, d.nodeId), d.nodeId);
  const hash = configHash(d.configFile);
  const readAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let warned = false;
  const beat = async (url: string) => {
    await registry.beat(url, hash, readAt);
    const self = (await registry.nodes()).find((n) => n.id === d.nodeId);
    // Said once per change, not at every beat.
    if (self?.config_differs && !warned) d.log.warn({ node: d.nodeId, config_hash: hash }, 'this node\'s tend.yaml differs from the one the other nodes run');
    warned = self?.config_differs ?? false;
  };
  return {
    registry,
    register(app) {
      app.get('/api/v1/cluster', async () => ({ node: d.nodeId, nodes: await registry.nodes() }));
    },
    async start(url) {
      await beat(url);
      timer = setInterval(() => void beat(url).catch((err) => d.log.error({ err }, 'could not record this node in the cluster')), BEAT_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
