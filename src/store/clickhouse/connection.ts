// Reaching ClickHouse: `clickhouse://user:pass@host:8123/db` (or `clickhouses://` for HTTPS)
// becomes an @clickhouse/client over HTTP, and the database is created when missing. An empty
// password is allowed (ClickHouse's `default` user has none). `?cluster=NAME` says the events are
// sharded over the servers of that cluster of <remote_servers> (tables.ts).
//
// The client (1.23.1) talks to Debian's ClickHouse 18.16 as it is, measured: inserts in
// JSONEachRow, reads, DDL and errors all work without changing its defaults. What 18.16 lacks
// is handled where it shows: no query parameters (the compiler writes literals), and 64-bit
// integers are asked for as JSON numbers (output_format_json_quote_64bit_integers = 0), so
// rows read the same as from DuckDB.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { clickHouseIdent } from './clickhouse-compiler.js';

export interface ClickHouseTarget {
  /** http(s)://host:port */
  url: string;
  username: string;
  password: string;
  database: string;
  /** The cluster (of <remote_servers>) whose shards hold the events; none for one server. */
  cluster?: string;
}

/** Reads an events URL; throws with the problem named when it is not one. */
export function parseClickHouseUrl(text: string): ClickHouseTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`--events: not a URL: ${text}`);
  }
  const secure = u.protocol === 'clickhouses:';
  if (!secure && u.protocol !== 'clickhouse:') throw new Error(`--events: expected clickhouse://user:pass@host:8123/db, got ${u.protocol}//...`);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'tend';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new Error(`--events: database name "${database}" must be letters, digits and _`);
  for (const name of u.searchParams.keys()) if (name !== 'cluster') throw new Error(`--events: unknown setting "${name}" (known: cluster)`);
  const cluster = u.searchParams.get('cluster') ?? undefined;
  if (cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(cluster)) throw new Error(`--events: cluster name "${cluster}" must be letters, digits, _, . and -`);
  return {
    url: `${secure ? 'https' : 'http'}://${u.hostname}:${u.port || (secure ? '8443' : '8123')}`,
    username: decodeURIComponent(u.username) || 'default',
    password: decodeURIComponent(u.password),
    database,
    cluster,
  };
}

/** A client for the target's database, which is created first when missing. */
export async function connectClickHouse(target: ClickHouseTarget): Promise<ClickHouseClient> {
  const base = { url: target.url, username: target.username, password: target.password };
  const bootstrap = createClient(base);
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${clickHouseIdent(target.database)}` });
  } finally {
    await bootstrap.close();
  }
  return createClient({
    ...base,
    database: target.database,
    // Failed reads are the request's (a bad column, a value): the store turns them into answers, so the client need not log them.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
}
