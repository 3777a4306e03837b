// Where the event store's tables live, and how DDL, inserts and partitions reach them.
//
// One server (`clickhouse://host:8123/db`): a table is one MergeTree on that server.
//
// A cluster (`clickhouse://host:8123/db?cluster=NAME`, NAME a cluster of <remote_servers>, defined
// alike on every server): a table `t` is a MergeTree `t_local` on every server of the cluster and
// a Distributed table `t` over them on every server, which every read goes through (any server
// answers for all shards, merging the shards' partial aggregates). 18.16 runs `ON CLUSTER` DDL
// only with ZooKeeper ("DDL background thread is not initialized" without, measured), so Tend runs
// each statement on each server itself, reaching the servers system.clusters lists at their host
// names and the port of the URL: every server of the cluster serves HTTP on that port.
//
// Inserts go straight into one server's local table, the next server's for the next insert
// (round robin), never through the Distributed table: an INSERT into a Distributed table is
// acknowledged once queued on the receiving server's disk and sent to the shards later, and
// insert_distributed_sync = 1 (which waits) sends every row through a second server. A local
// insert is acknowledged by the shard that keeps it, so acknowledged means stored there, and
// the nodes spread the writing over the shards themselves. No event needs a given shard: every
// read reads all of them. The Distributed tables have no sharding key, so ClickHouse refuses
// writes into them (an insert by another tool would otherwise be queued, not stored).
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { clickHouseIdent, literal } from './clickhouse-compiler.js';
import { connectClickHouse, type ClickHouseTarget } from './connection.js';

const LOCAL_SUFFIX = '_local';
/** 18.16 has no ADD COLUMN IF NOT EXISTS: a column another writer added first fails the ALTER whole with this code. */
const ILLEGAL_COLUMN = /Code: 44\b/;

/** A column a table must have: its name and ClickHouse type. */
export interface WantedColumn {
  name: string;
  type: string;
}

export class Tables {
  private next = 0;

  private constructor(
    /** The URL's server, which reads go through. */
    readonly reader: ClickHouseClient,
    private readonly database: string,
    /** Every server holding a share of the events, in shard order (the reader itself when alone). */
    private readonly servers: ClickHouseClient[],
    private readonly cluster: string | undefined,
  ) {}

  static async open(target: ClickHouseTarget): Promise<Tables> {
    const reader = await connectClickHouse(target);
    if (!target.cluster) return new Tables(reader, target.database, [reader], undefined);
    try {
      const rows = await (
        await reader.query({
          query: `SELECT host_name, is_local, replica_num FROM system.clusters WHERE cluster = ${literal(target.cluster)} ORDER BY shard_num, replica_num`,
          format: 'JSONEachRow',
        })
      ).json<{ host_name: string; is_local: number; replica_num: number }>();
      if (rows.length === 0) throw new Error(`--events: the ClickHouse server at ${target.url} has no cluster "${target.cluster}" in its <remote_servers>`);
      // A Distributed table reads one replica of each shard: replicas of plain MergeTree tables,
      // each written by Tend on its own, would each hold other events.
      if (rows.some((r) => Number(r.replica_num) > 1)) throw new Error(`--events: the cluster "${target.cluster}" has shards of several replicas; Tend shards over servers of one replica each`);
      if (!rows.some((r) => Number(r.is_local) === 1)) throw new Error(`--events: ${target.url} is not a server of the cluster "${target.cluster}" (reads go through its Distributed tables)`);
      const port = new URL(target.url).port;
      const protocol = new URL(target.url).protocol;
      const connected = await Promise.allSettled(
        rows.map(async (r) => {
          const url = `${protocol}//${r.host_name.includes(':') ? `[${r.host_name}]` : r.host_name}:${port}`;
          try {
            return await connectClickHouse({ ...target, url });
          } catch (err) {
            throw new Error(`--events: ${url}, a server of the cluster "${target.cluster}", did not answer: ${(err as Error).message}`);
          }
        }),
      );
      const servers = connected.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
      const failed = connected.find((c) => c.status === 'rejected');
      if (failed) {
        await Promise.all(servers.map((s) => s.close()));
        throw failed.reason;
      }
      return new Tables(reader, target.database, servers, target.cluster);
    } catch (err) {
      await reader.close();
      throw err;
    }
  }

  /** The name of the table that keeps `table`'s rows on each server. */
  private local(table: string): string {
    return this.cluster ? `${table}${LOCAL_SUFFIX}` : table;
  }

  /**
   * Creates `table` where missing: `columns` and MergeTree `settings` (PARTITION BY, ORDER BY).
   * On a cluster, every server's tables are then given the first server's columns: a shard added
   * to the cluster, or one a writer that died part way through adding a column did not reach,
   * catches up before anything is inserted into it.
   */
  async create(table: string, columns: string, settings: string): Promise<void> {
    const local = clickHouseIdent(this.local(table));
    await Promise.all(this.servers.map((s) => s.command({ query: `CREATE TABLE IF NOT EXISTS ${local} (${columns}) ENGINE = MergeTree ${settings}` })));
    if (!this.cluster) return;
    const engine = `Distributed(${clickHouseIdent(this.cluster)}, ${clickHouseIdent(this.database)}, ${local})`;
    await Promise.all(this.servers.map((s) => s.command({ query: `CREATE TABLE IF NOT EXISTS ${clickHouseIdent(table)} AS ${local} ENGINE = ${engine}` })));
    if (!(await this.ensureColumns(table, await this.describe(table)))) throw new Error(`the shards of ${this.database}.${table} disagree on a column's type; see system.columns on each`);
  }

  /** The columns (name and ClickHouse type, in table order) of `table` as the first server has them. */
  describe(table: string): Promise<WantedColumn[]> {
    return this.columnsOf(this.servers[0], this.local(table));
  }

  /**
   * Gives `table` the wanted columns on every server, the local tables first (inserts need them)
   * and the first server first, so writers racing to add one column settle on the type of whoever
   * added it there first. Answers false when a column exists with another type than wanted (only
   * an Int64 column meeting a Float64 one is widened): the caller plans again from describe().
   */
  async ensureColumns(table: string, wanted: WantedColumn[]): Promise<boolean> {
    if (wanted.length === 0) return true;
    const targets = this.servers.map((s) => [s, this.local(table)] as const);
    if (this.cluster) targets.push(...this.servers.map((s) => [s, table] as const));
    for (const [server, name] of targets) {
      if (!(await this.ensureOn(server, name, wanted))) return false;
    }
    return true;
  }

  private async ensureOn(server: ClickHouseClient, table: string, wanted: WantedColumn[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const have = new Map((await this.columnsOf(server, table)).map((c) => [c.name, c.type]));
      const changes: string[] = [];
      for (const w of wanted) {
        const type = have.get(w.name);
        if (type === undefined) changes.push(`ADD COLUMN ${clickHouseIdent(w.name)} ${w.type}`);
        else if (type === 'Nullable(Int64)' && w.type === 'Nullable(Float64)') changes.push(`MODIFY COLUMN ${clickHouseIdent(w.name)} ${w.type}`);
        else if (type !== w.type) return false;
      }
      if (changes.length === 0) return true;
      try {
        await server.command({ query: `ALTER TABLE ${clickHouseIdent(table)} ${changes.join(', ')}` });
        return true;
      } catch (err) {
        // Another writer added one of the columns first; the next look sees it.
        if (attempt >= 3 || !ILLEGAL_COLUMN.test(String(err))) throw err;
      }
    }
  }

  /**
   * Inserts rows as one block into one server's share of `table` (each insert the next server's);
   * resolves once that server has answered. `columns` are the rows' columns in order, `format`
   * how `rows` are written.
   */
  async insert(table: string, columns: string[], format: 'RowBinary' | 'JSONEachRow', rows: Buffer | string): Promise<void> {
    const server = this.servers[this.next++ % this.servers.length];
    // The column list goes at the start of the body, which ClickHouse reads as the rest of the
    // statement in the URL: a wide table's list would pass the 16 KB a URL may have on 18.16
    // (measured). The rows start after the newline that ends the statement.
    const statementEnd = Buffer.from(` (${columns.map(clickHouseIdent).join(', ')}) FORMAT ${format}\n`);
    const result = await server.exec({ query: `INSERT INTO ${clickHouseIdent(this.local(table))}`, values: Readable.from([statementEnd, rows]) });
    // The answer is empty, but must be read for the connection to serve the next request.
    for await (const chunk of result.stream) void chunk;
  }

  /** The active partitions of the tables whose names start with `prefix`, over every server. */
  async partitions(prefix: string): Promise<{ table: string; partition: string }[]> {
    const found = new Map<string, { table: string; partition: string }>();
    const perServer = await Promise.all(
      this.servers.map((s) =>
        this.rows<{ table: string; partition: string }>(s, `SELECT DISTINCT table, partition FROM system.parts WHERE database = ${literal(this.database)} AND active AND startsWith(table, ${literal(prefix)})`),
      ),
    );
    for (const { table, partition } of perServer.flat()) {
      const name = this.cluster ? (table.endsWith(LOCAL_SUFFIX) ? table.slice(0, -LOCAL_SUFFIX.length) : undefined) : table;
      if (name !== undefined) found.set(`${name}\u0000${partition}`, { table: name, partition });
    }
    return [...found.values()];
  }

  /** Rows per day partition (its number) of `table`, summed over every server (none when the table is missing). */
  async rowsPerDay(table: string): Promise<Map<number, number>> {
    const perServer = await Promise.all(
      this.servers.map((s) =>
        this.rows<{ partition: string; n: number }>(s, `SELECT partition, sum(rows) AS n FROM system.parts WHERE database = ${literal(this.database)} AND table = ${literal(this.local(table))} AND active GROUP BY partition`),
      ),
    );
    const days = new Map<number, number>();
    for (const { partition, n } of perServer.flat()) days.set(Number(partition), (days.get(Number(partition)) ?? 0) + Number(n));
    return days;
  }

  /** Drops a day partition (its number) of `table` on every server (a server without it has nothing to drop). */
  async dropPartition(table: string, partition: number): Promise<void> {
    await Promise.all(this.servers.map((s) => s.command({ query: `ALTER TABLE ${clickHouseIdent(this.local(table))} DROP PARTITION ${literal(partition)}` })));
  }

  /** Bytes on disk of the database's active parts, over every server. */
  async bytes(): Promise<number> {
    const sums = await Promise.all(this.servers.map((s) => this.rows<{ b: number }>(s, `SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE database = ${literal(this.database)} AND active`)));
    return sums.reduce((total, rows) => total + Number(rows[0]?.b ?? 0), 0);
  }

  async close(): Promise<void> {
    await Promise.all([...new Set([this.reader, ...this.servers])].map((c) => c.close()));
  }

  private columnsOf(server: ClickHouseClient, table: string): Promise<WantedColumn[]> {
    // system.columns lists a table's columns in their order, which is the order they first arrived.
    return this.rows(server, `SELECT name, type FROM system.columns WHERE database = ${literal(this.database)} AND table = ${literal(table)}`);
  }

  private async rows<T>(server: ClickHouseClient, sql: string): Promise<T[]> {
    return (await server.query({ query: sql, format: 'JSONEachRow' })).json<T>();
  }
}
