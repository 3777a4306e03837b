// `tend cluster`: the nodes sharing one metadata store, when each was last seen, whether its
// tend.yaml is the cluster's, and the once-only work it owns; `tend cluster reload` reads
// tend.yaml again on every node (as SIGHUP does).
import type { Command } from 'commander';
import type { ClusterNode } from '../cluster/index.js';
import { callApi, clientOptions, type ClientOptions } from './client.js';
import { formatTable } from './table.js';

interface ClusterAnswer {
  node: string;
  config: { hash: string; node: string; at: string } | null;
  nodes: ClusterNode[];
}

type Opts = ClientOptions & { json?: boolean };

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('Nodes sharing the metadata store (--meta) and the work each owns');
  clientOptions(cluster.command('list', { isDefault: true }).description('List the nodes').option('--json', 'print JSON')).action(async (opts: Opts) => {
    const answer = await callApi<ClusterAnswer>(opts, 'admin', 'GET', '/api/v1/cluster');
    if (opts.json) return void process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
    const rows = answer.nodes.map((n) => [
      n.id, n.alive ? 'alive' : 'gone', n.last_seen, n.config_differs ? `DIFFERS (${n.config_hash.slice(0, 12)})` : n.config_hash.slice(0, 12), n.owns.join(', ') || '-',
    ]);
    process.stdout.write(formatTable(['NODE', 'STATE', 'LAST SEEN', 'TEND.YAML', 'OWNS'], rows));
  });
  clientOptions(cluster.command('reload').description('Read tend.yaml again on every node').option('--json', 'print JSON')).action(async (opts: Opts) => {
    const answer = await callApi<{ node: string; config_hash: string }>(opts, 'admin', 'POST', '/api/v1/config/reload');
    if (opts.json) return void process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
    process.stdout.write(`tend.yaml reloaded through ${answer.node} (sha256 ${answer.config_hash.slice(0, 12)}); the other nodes follow\n`);
  });
}
