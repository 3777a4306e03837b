// `tend migrate --from ./tend-data --meta postgres://...`: copies an embedded install's metadata
// (environments, keys, users, checks, alerts, incidents... every table that is not events) into
// PostgreSQL, so scale-out nodes take over with everything they had. The folder is only read.
// The schema comes from Tend itself (a start on the empty database runs every migration), then
// each table is emptied of what that start made and filled from the folder; a run that was
// interrupted is simply run again. Counts per table are compared at the end. Events go to
// ClickHouse with --events (store/migrate-events.ts); either part may be run alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config.js';
import { startTend } from '../server/index.js';
import { DuckDatabase, insertStatements, migrateEvents, PgMetaStore, quoteIdent, type DayCount, type MetaStore } from '../store/index.js';

/** Rows copied per transaction, between two updates of the progress bar. */
const ROWS_PER_STEP = 500;
/** Present while a copy is under way: lets a run that was cut short start again over its own rows. */
const MARKER = 'tend_migrate_in_progress';

export interface TableCount {
  table: string;
  from: number;
  to: number;
}

export async function migrateMetadata(from: string, metaUrl: string, onTable: (table: string, done: number, total: number) => void = () => undefined): Promise<TableCount[]> {
  if (!fs.existsSync(path.join(from, 'tend.duckdb'))) throw new Error(`--from: ${from} holds no tend.duckdb`);
  const target = await PgMetaStore.open(metaUrl);
  try {
    await refuseLiveStore(target);
    await target.query(`CREATE TABLE IF NOT EXISTS ${MARKER} (started_at TEXT NOT NULL)`);
    // Every capability's tables, made by a start of this Tend on the database (its own data folder, thrown away).
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-migrate-'));
    const node = await startTend(loadConfig({ data: scratch, meta: metaUrl, port: 0, grpcPort: 'off', logLevel: 'silent' }, {}), {});
    await node.close();
    fs.rmSync(scratch, { recursive: true, force: true });
    const source = await DuckDatabase.open(from, { readOnly: true });
    try {
      const tables = (await tablesOf(target)).filter((t) => t !== 'schema_migrations' && t !== MARKER);
      const present = new Set(await tablesOf(source));
      const counts: TableCount[] = [];
      for (const table of tables) {
        await target.query(`DELETE FROM ${quoteIdent(table)}`);
        if (!present.has(table)) continue;
        const rows = await source.query(`SELECT * FROM ${quoteIdent(table)}`);
        for (let i = 0; i < rows.length; i += ROWS_PER_STEP) {
          await insertRows(target, table, rows.slice(i, i + ROWS_PER_STEP));
          onTable(table, Math.min(i + ROWS_PER_STEP, rows.length), rows.length);
        }
        const [{ n }] = await target.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(table)}`);
        counts.push({ table, from: rows.length, to: n });
      }
      await target.query(`DROP TABLE ${MARKER}`);
      return counts;
    } finally {
      source.close();
    }
  } finally {
    await target.close();
  }
}

/** A database that nodes already use must not be overwritten; one a cut-short copy left is fine. */
async function refuseLiveStore(target: MetaStore): Promise<void> {
  const tables = await tablesOf(target);
  if (!tables.includes('api_keys') || tables.includes(MARKER)) return;
  const [{ n }] = await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM api_keys');
  if (n > 0) throw new Error('--meta: this database already holds a Tend install (it has keys); migrate into an empty database');
}

async function tablesOf(store: MetaStore): Promise<string[]> {
  const rows = await store.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

async function insertRows(target: MetaStore, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]);
  await target.transaction(insertStatements(table, columns, rows.map((row) => columns.map((c) => row[c]))));
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Copy an embedded install (a stopped data folder) to the scale-out stores')
    .requiredOption('--from <dir>', 'the data folder to copy (only read; stop its tend serve first)')
    .option('--meta <url>', 'PostgreSQL for the metadata: postgres://user:password@host:5432/tend (an empty database)')
    .option('--events <url>', 'ClickHouse for the events: clickhouse://user:password@host:8123/tend (run again to resume)')
    .option('--json', 'print the counts per table, and per dataset and day, as JSON')
    .action(async (opts: { from: string; meta?: string; events?: string; json?: boolean }) => {
      if (!opts.meta && !opts.events) throw new Error('give --meta, --events or both: where to copy to');
      const from = path.resolve(opts.from);
      if (!fs.existsSync(path.join(from, 'tend.duckdb'))) throw new Error(`--from: ${from} holds no tend.duckdb`);
      const bar = new cliProgress.SingleBar({ format: '{part} | {bar} | {what} {value}/{total}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
      let current = '';
      const progress = (part: string, what: string, done: number, total: number) => {
        if (opts.json) return;
        if (what !== current) {
          if (current) bar.stop();
          bar.start(total, 0, { part, what });
          current = what;
        }
        bar.update(done, { part, what });
      };
      const tables = opts.meta ? await migrateMetadata(from, opts.meta, (table, done, total) => progress('metadata', table, done, total)) : [];
      const days = opts.events ? await migrateEvents(from, opts.events, (done, total) => progress('events', 'events', done, total)) : [];
      if (current) bar.stop();
      const wrong = [...tables, ...days].filter((c) => c.from !== c.to);
      if (opts.json) process.stdout.write(JSON.stringify({ ...(opts.meta ? { tables } : {}), ...(opts.events ? { days } : {}), ok: wrong.length === 0 }, null, 2) + '\n');
      else process.stdout.write(summary(tables, days, opts));
      if (wrong.length) process.exitCode = 1;
    });
}

function summary(tables: TableCount[], days: DayCount[], opts: { meta?: string; events?: string }): string {
  const lines: string[] = [];
  if (opts.meta) {
    const wrong = tables.filter((c) => c.from !== c.to);
    lines.push(`metadata: copied ${tables.reduce((s, c) => s + c.to, 0)} rows in ${tables.length} tables; ${wrong.length ? `counts differ: ${wrong.map((c) => `${c.table} ${c.from} -> ${c.to}`).join(', ')}` : 'every count matches'}`);
  }
  if (opts.events) {
    for (const d of days) lines.push(`  ${d.dataset ?? d.table}  ${d.day}  ${d.from} -> ${d.to}${d.from === d.to ? '' : '  DIFFERS'}`);
    const wrong = days.filter((d) => d.from !== d.to).length;
    lines.push(`events: ${days.reduce((s, d) => s + d.to, 0)} rows in ${days.length} dataset-days; ${wrong ? `${wrong} counts differ` : 'every count matches'}`);
  }
  return lines.join('\n') + '\n';
}
