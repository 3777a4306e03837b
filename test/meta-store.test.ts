// The metadata store's suite, run against both stores Tend has: the embedded one (the data
// folder's DuckDB file) and a real PostgreSQL 15 started for this file. The same statements must
// give the same answers on both, every capability's migrations must apply from an empty store
// and from every earlier schema version, and nodes sharing one PostgreSQL must bootstrap once.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTend, type Tend } from '../src/server/index.js';
import { DuckDatabase, PgMetaStore, type MetaStore } from '../src/store/index.js';
import { startPostgres, type PgCluster } from './support/postgres.js';
import { tempDataDir } from './support/tend.js';

let pg: PgCluster;
let databases = 0;
/** Every capability's migrations, in the order a start applies them (from a start on PostgreSQL). */
let migrations: { name: string; statements: string[] }[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  const spy = vi.spyOn(PgMetaStore.prototype, 'migrate');
  const tend = await startNode(pg.url('capture'));
  await tend.close();
  migrations = spy.mock.calls.map(([name, statements]) => ({ name, statements }));
  spy.mockRestore();
});
afterAll(() => pg?.stop());

function startNode(meta: string, env: NodeJS.ProcessEnv = {}, dataDir = tempDataDir('meta-node')): Promise<Tend> {
  return startTend(loadConfig({ port: 0, logLevel: 'error', data: dataDir, meta, grpcPort: 'off' }, {}), env);
}

type Opened = { store: MetaStore; close(): Promise<void> };
const STORES: [string, () => Promise<Opened>][] = [
  ['the embedded store', async () => {
    const db = await DuckDatabase.open(tempDataDir('meta-duck'));
    return { store: db, close: async () => db.close() };
  }],
  ['PostgreSQL 15', async () => {
    const store = await PgMetaStore.open(pg.url(`meta_${databases++}`));
    return { store, close: () => store.close() };
  }],
];

describe.each(STORES)('metadata on %s', (_label, open) => {
  it('gives numbers, text, booleans and nulls back as the embedded store does', async () => {
    const { store, close } = await open();
    await store.migrate('t.v1', ['CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT, x DOUBLE PRECISION, ok BOOLEAN, note TEXT)']);
    await store.query('INSERT INTO t (id, n, x, ok, note) VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)', ['a', 2 ** 40, 1.5, true, null, 'b', 3, -2, false, 'é"\'']);
    expect(await store.query('SELECT * FROM t ORDER BY id')).toEqual([
      { id: 'a', n: 2 ** 40, x: 1.5, ok: true, note: null },
      { id: 'b', n: 3, x: -2, ok: false, note: 'é"\'' },
    ]);
    expect(await store.query('SELECT COUNT(*) AS c, SUM(n) AS s, MAX(x) AS m FROM t WHERE id <> $1', [''])).toEqual([{ c: 2, s: 2 ** 40 + 3, m: 1.5 }]);
    expect(await store.query('UPDATE t SET n = n + 1 WHERE id = $1 RETURNING n', ['b'])).toEqual([{ n: 4 }]);
    await close();
  });

  it('keeps all of a transaction or none of it', async () => {
    const { store, close } = await open();
    await store.migrate('t.v1', ['CREATE TABLE t (id TEXT PRIMARY KEY)']);
    await store.transaction([{ sql: 'INSERT INTO t (id) VALUES ($1)', params: ['a'] }, { sql: 'INSERT INTO t (id) VALUES ($1)', params: ['b'] }]);
    await expect(store.transaction([{ sql: 'INSERT INTO t (id) VALUES ($1)', params: ['c'] }, { sql: 'INSERT INTO t (id) VALUES ($1)', params: ['a'] }])).rejects.toThrow();
    expect((await store.query('SELECT id FROM t ORDER BY id')).map((r) => r.id)).toEqual(['a', 'b']);
    await close();
  });

  it('applies a migration once, also when callers race', async () => {
    const { store, close } = await open();
    const migrate = () => store.migrate('t.v1', ['CREATE TABLE t (id TEXT PRIMARY KEY)', `INSERT INTO t (id) VALUES ('seed')`]);
    await Promise.all([migrate(), migrate(), migrate()]);
    await migrate();
    expect(await store.query('SELECT id FROM t')).toEqual([{ id: 'seed' }]);
    await close();
  });

  it('upserts rows in bulk, updating those whose key is already stored', async () => {
    const { store, close } = await open();
    await store.migrate('t.v1', ['CREATE TABLE t (a TEXT, b TEXT, v BIGINT, PRIMARY KEY (a, b))']);
    await store.upsert('t', ['a', 'b', 'v'], ['a', 'b'], [['x', '1', 1], ['x', '2', 2]]);
    await store.upsert('t', ['a', 'b', 'v'], ['a', 'b'], [['x', '2', 20], ['y', '1', 3]]);
    expect(await store.query('SELECT a, b, v FROM t ORDER BY a, b')).toEqual([{ a: 'x', b: '1', v: 1 }, { a: 'x', b: '2', v: 20 }, { a: 'y', b: '1', v: 3 }]);
    // Rows said to be new are written too, and one that is stored after all is updated.
    await store.upsert('t', ['a', 'b', 'v'], ['a', 'b'], [['x', '1', 10]], [['z', '1', 4], ['y', '1', 30]]);
    expect(await store.query('SELECT a, b, v FROM t ORDER BY a, b')).toEqual([{ a: 'x', b: '1', v: 10 }, { a: 'x', b: '2', v: 20 }, { a: 'y', b: '1', v: 30 }, { a: 'z', b: '1', v: 4 }]);
    await close();
  });

  it("migrates every capability's schema from empty and from every earlier version, keeping the rows", async () => {
    expect(migrations.length).toBeGreaterThan(20);
    for (const version of earlierVersions()) {
      const { store, close } = await open();
      for (const m of migrations.slice(0, version)) await store.migrate(m.name, m.statements);
      const seeded = await seedEveryTable(store);
      // A newer Tend starts: every capability applies what it has, in its order.
      for (const m of migrations) await store.migrate(m.name, m.statements);
      const applied = (await store.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name);
      expect(applied, `from version ${version}`).toEqual(expect.arrayContaining(migrations.map((m) => m.name)));
      for (const table of seeded) expect(await store.query(`SELECT COUNT(*) AS n FROM ${table}`), `${table} from version ${version}`).toEqual([{ n: 1 }]);
      await close();
    }
  });
});

/**
 * The schema versions a store can be found at, as counts of migrations applied in start order.
 * A capability's migrations touch only its own tables, so an earlier version differs from the
 * current one in which capabilities are still at an earlier version of theirs: every such state
 * is the one just before a capability's v2, v3... (older capabilities further along, newer ones
 * not there at all), plus the empty store and the current one.
 */
function earlierVersions(): number[] {
  const later = migrations.flatMap((m, i) => (/\.v([2-9]|\d{2,})$/.test(m.name) ? [i] : []));
  return [0, ...later, migrations.length];
}

/** One row in every table the store has now, each column a value of its type: the data a migration must carry over. */
async function seedEveryTable(store: MetaStore): Promise<string[]> {
  const columns = await store.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name, ordinal_position`,
  );
  const tables = new Map<string, { name: string; type: string }[]>();
  for (const c of columns) tables.set(c.table_name, [...(tables.get(c.table_name) ?? []), { name: c.column_name, type: c.data_type.toLowerCase() }]);
  for (const [table, cols] of tables) {
    const values = cols.map((c) => (/int/.test(c.type) ? 1 : /double|real|float|numeric|decimal/.test(c.type) ? 1.5 : /bool/.test(c.type) ? false : `seed-${c.name}`));
    await store.query(`INSERT INTO ${table} (${cols.map((c) => c.name).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, values);
  }
  return [...tables.keys()];
}

describe('nodes sharing one PostgreSQL', () => {
  const env = { TEND_ADMIN_KEY: 'admin-key-shared-by-nodes', TEND_INGEST_KEY: 'ingest-key-shared-by-nodes', TEND_ADMIN_PASSWORD: 'correct horse battery staple 42' };
  const nodes: Tend[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.close();
  });

  it('bootstrap keys once when they start together; a later node with a fresh data folder joins', async () => {
    const url = pg.url('cluster');
    nodes.push(...(await Promise.all([startNode(url, env), startNode(url, env)])));
    expect(nodes.map((n) => n.keys.created).sort()).toEqual([false, true]);
    nodes.push(await startNode(url, env));
    expect(nodes[2].keys.created).toBe(false);
    expect(fs.existsSync(path.join(nodes[2].config.dataDir, 'keys.json'))).toBe(false);
    expect(await nodes[2].meta.query('SELECT kind, COUNT(*) AS n FROM api_keys GROUP BY kind ORDER BY kind')).toEqual([{ kind: 'admin', n: 1 }, { kind: 'ingest', n: 1 }]);
    expect(await nodes[2].meta.query('SELECT slug FROM environments')).toEqual([{ slug: 'production' }]);
    expect(await nodes[2].meta.query('SELECT COUNT(*) AS n FROM users')).toEqual([{ n: 1 }]);

    // What one node writes, another serves.
    const auth = { authorization: `Bearer ${env.TEND_ADMIN_KEY}`, 'content-type': 'application/json' };
    const made = await fetch(`${nodes[0].url}/api/v1/keys`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'ingest', name: 'made on node 0' }) });
    expect(made.status).toBe(201);
    const listed = await fetch(`${nodes[2].url}/api/v1/keys`, { headers: auth });
    expect(((await listed.json()) as { keys: { name: string }[] }).keys.map((k) => k.name)).toContain('made on node 0');
  });
});
