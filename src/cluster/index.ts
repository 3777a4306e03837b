// The cluster capability: nodes sharing one metadata store record themselves, GET
// /api/v1/cluster lists them with the work each owns, and a reload (SIGHUP or POST
// /api/v1/config/reload on any node) reaches every node through the store's notifications
// (docs/scale-out.md).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { badRequest } from '../http/index.js';
import { Leases, type MetaStore } from '../store/index.js';
import { BEAT_MS, ClusterRegistry, configHash } from './registry.js';

export { ClusterRegistry, configHash, type ClusterNode } from './registry.js';

/** Reloads go to every node on this channel; the payload is the node that was asked. */
const RELOAD_CHANNEL = 'tend_reload';

export interface ClusterDeps {
  meta: MetaStore;
  nodeId: string;
  /** tend.yaml, whose hash every node records so one whose file differs shows. */
  configFile?: string;
  /**
   * Applies tend.yaml again (what a reload does besides recording the file's hash): every part
   * a capability registered (src/config-file.ts, ConfigReload), or only those kept in memory
   * when another node was asked (it wrote the shared rows); returns their names.
   */
  apply(scope: 'all' | 'local'): Promise<string[]>;
  log: FastifyBaseLogger;
}

export interface Cluster {
  registry: ClusterRegistry;
  register(app: FastifyInstance): void;
  /** Starts recording this node, reachable at `url`. */
  start(url: string): Promise<void>;
  /** Reads tend.yaml again here, records it as the cluster's file, and tells every other node. */
  reload(): Promise<{ node: string; config_hash: string; applied: string[] }>;
  stop(): void;
}

export async function startCluster(d: ClusterDeps): Promise<Cluster> {
  const registry = await ClusterRegistry.open(d.meta, await Leases.open(d.meta, d.nodeId), d.nodeId);
  let hash = configHash(d.configFile);
  let readAt = Date.now();
  await registry.recordConfig(hash, false);
  let url: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let warned = false;
  const beat = async () => {
    if (!url) return;
    await registry.beat(url, hash, readAt);
    const differs = (await registry.config())?.hash !== hash;
    // Said once per change, not at every beat.
    if (differs && !warned) d.log.warn({ node: d.nodeId, config_hash: hash }, `this node's tend.yaml (${d.configFile ?? 'none'}) differs from the one the cluster runs: deploy the same file everywhere, then reload`);
    warned = differs;
  };
  /** Reads the file again and applies it. */
  const readAgain = async (scope: 'all' | 'local') => {
    const next = configHash(d.configFile);
    // Applied first: a file that does not read leaves this node as it was.
    const applied = await d.apply(scope);
    hash = next;
    readAt = Date.now();
    await beat();
    return applied;
  };
  await d.meta.listen?.(RELOAD_CHANNEL, (from) => {
    if (from === d.nodeId) return;
    void readAgain('local').catch((err) => d.log.error({ err }, 'reload asked by another node failed'));
  });
  const reload = async () => {
    const applied = await readAgain('all');
    await registry.recordConfig(hash, true);
    await beat();
    await d.meta.notify?.(RELOAD_CHANNEL, d.nodeId);
    d.log.info({ config_hash: hash, applied }, 'tend.yaml reloaded');
    return { node: d.nodeId, config_hash: hash, applied };
  };
  return {
    registry,
    reload,
    register(app) {
      app.get('/api/v1/cluster', async () => ({ node: d.nodeId, config: (await registry.config()) ?? null, nodes: await registry.nodes() }));
      app.post('/api/v1/config/reload', async (request) => {
        // A file that does not read is the caller's to fix: say what is wrong with it.
        const done = await reload().catch((err: Error) => {
          throw badRequest(`tend.yaml: ${err.message}`);
        });
        request.audit = { action: 'config.reload', target: { kind: 'config', id: 'tend.yaml' }, after: done };
        return done;
      });
    },
    async start(at) {
      url = at;
      await beat();
      timer = setInterval(() => void beat().catch((err) => d.log.error({ err }, 'could not record this node in the cluster')), BEAT_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
