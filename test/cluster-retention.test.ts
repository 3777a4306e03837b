// Retention sweeps of events kept in ClickHouse, which every node shares, are once-only work:
// one node sweeps at a time, and another takes the sweeps over when it stops. (Embedded events
// are each node's own, swept by each.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTend, type Tend } from '../src/server/index.js';
import { clickHouseEventsUrl, stopClickHouseServer } from './support/event-stores.js';
import { startPostgres, type PgCluster } from './support/postgres.js';
import { tempDataDir } from './support/tend.js';

const KEYS = { TEND_ADMIN_KEY: 'admin-key-of-the-sweepers', TEND_INGEST_KEY: 'ingest-key-of-the-sweepers' };
let pg: PgCluster;
let events: string;
const nodes: Tend[] = [];

const start = async (id: string) => {
  const config = loadConfig({ port: 0, logLevel: 'error', data: tempDataDir(id), meta: pg.url('sweepers'), events, grpcPort: 'off' }, { TEND_NODE_ID: id });
  const tend = await startTend(config, KEYS);
  nodes.push(tend);
  return tend;
};

const sweeper = async (via: Tend) => (await via.cluster.registry.nodes()).filter((n) => n.owns.includes('retention.sweep')).map((n) => n.id);

beforeAll(async () => {
  pg = await startPostgres();
  events = await clickHouseEventsUrl();
}, 90_000);
afterAll(async () => {
  for (const n of nodes) await n.close().catch(() => undefined);
  await stopClickHouseServer();
  await pg?.stop();
});

describe('retention on shared events', () => {
  it('is swept by one node at a time, and by another once that one stops', async () => {
    const a = await start('sweeper-a');
    const b = await start('sweeper-b');
    expect(await sweeper(b)).toEqual(['sweeper-a']);
    await a.close();
    nodes.splice(nodes.indexOf(a), 1);
    const end = Date.now() + 10_000;
    while ((await sweeper(b)).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect(await sweeper(b)).toEqual(['sweeper-b']);
  });
});
