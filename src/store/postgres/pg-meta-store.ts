// The metadata store on PostgreSQL (`tend serve --meta postgres://...`): the same statements the
// embedded store runs ($1 parameters, the SQL both engines share), sent through a `pg` pool, so
// several Tend nodes can share environments, keys, checks, alert state and the rest.
import pg from 'pg';
import { insertStatements, type MetaStore, type Row } from '../meta-store.js';

/** Connections one node keeps: metadata statements are short, and nodes multiply this. */
const POOL_SIZE = 10;
/** Any constant: every node takes this advisory lock while it migrates, so one migrates at a time. */
const MIGRATION_LOCK = 0x74656e64; // "tend"

// Values come back as the embedded store gives them: BIGINT, SUM and AVG as numbers (ids, counts
// and sums here fit in 2^53), JSON as its text (callers parse what they stored as text).
const INT8 = 20;
const NUMERIC = 1700;
const JSON_OIDS = [114, 3802];
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    if (JSON_OIDS.includes(oid)) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export class PgMetaStore implements MetaStore {
  private readonly listeners = new Map<string, ((payload: string) => void)[]>();
  private listening?: Promise<pg.Client>;
  private closed = false;

  private constructor(
    readonly url: string,
    readonly pool: pg.Pool,
  ) {}

  /** Connects, creating the database when it is missing, and makes the migrations table. */
  static async open(url: string): Promise<PgMetaStore> {
    await createDatabaseIfMissing(url);
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types });
    // An idle connection the server dropped (a restart, a proxy's timeout) must not crash the node.
    pool.on('error', () => undefined);
    const store = new PgMetaStore(url, pool);
    // Under the migrations' lock: two nodes creating the table at once both pass IF NOT EXISTS,
    // and the second fails on PostgreSQL's catalog (duplicate key in pg_type).
    await store
      .withTransaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
      })
      .catch(async (err) => {
        await pool.end();
        throw err;
      });
    return store;
  }

  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.pool.query(sql, params);
    return result.rows as T[];
  }

  async transaction(statements: { sql: string; params?: unknown[] }[]): Promise<void> {
    await this.withTransaction(async (client) => {
      for (const s of statements) await client.query(s.sql, s.params ?? []);
    });
  }

  /** PostgreSQL's ON CONFLICT costs about what a plain insert does: new rows are upserted too. */
  async upsert(table: string, columns: string[], key: string[], rows: unknown[][], newRows: unknown[][] = []): Promise<void> {
    const all = newRows.length ? [...rows, ...newRows] : rows;
    if (all.length) await this.transaction(insertStatements(table, columns, all, key));
  }

  async migrate(name: string, statements: string[]): Promise<void> {
    const done = await this.query('SELECT name FROM schema_migrations WHERE name = $1', [name]);
    if (done.length > 0) return;
    // Nodes starting together: the lock makes the others wait, and they find the migration done.
    await this.withTransaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const again = await client.query('SELECT name FROM schema_migrations WHERE name = $1', [name]);
      if (again.rows.length > 0) return;
      for (const sql of statements) await client.query(sql);
      await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [name, new Date().toISOString()]);
    });
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async listen(channel: string, fn: (payload: string) => void): Promise<void> {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), fn]);
    const client = await this.listener();
    await client.query(`LISTEN ${quoteIdent(channel)}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listening?.then((c) => c.end()).catch(() => undefined);
    await this.pool.end();
  }

  /**
   * LISTEN needs a connection of its own, kept open. When it drops, a new one listens again and
   * every listener is called with "" (a notification may have been missed: start afresh).
   */
  private listener(): Promise<pg.Client> {
    if (this.listening) return this.listening;
    const client = new pg.Client({ connectionString: this.url, types });
    client.on('notification', (n) => {
      for (const fn of this.listeners.get(n.channel) ?? []) fn(n.payload ?? '');
    });
    const connecting = client.connect().then(() => client);
    // A connection lost (or never made) is replaced once: pg may report one loss twice.
    const lost = () => {
      if (this.listening !== connecting) return;
      this.listening = undefined;
      if (this.closed) return;
      setTimeout(() => {
        void this.relisten().catch(() => undefined);
      }, 1000).unref();
    };
    client.on('error', lost);
    connecting.catch(lost);
    this.listening = connecting;
    return connecting;
  }

  private async relisten(): Promise<void> {
    const client = await this.listener().catch(() => undefined);
    if (!client) return;
    for (const [channel, fns] of this.listeners) {
      await client.query(`LISTEN ${quoteIdent(channel)}`);
      for (const fn of fns) fn('');
    }
  }

  private async withTransaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

/** PostgreSQL's "database does not exist". */
const NO_DATABASE = '3D000';

/** Tend creates its database on first start, as it creates its tables; the user must be allowed to. */
async function createDatabaseIfMissing(url: string): Promise<void> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== NO_DATABASE) throw err;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (err) {
    // Another node created it first (PostgreSQL says so either way, depending on the moment).
    if (!['42P04', '23505'].includes((err as { code?: string }).code ?? '')) throw err;
  } finally {
    await admin.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
