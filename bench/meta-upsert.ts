// Prototypes for writing many metadata rows at once (issue 11, item 10c: pushed alerts are
// saved as rows; the save's cost per row bounds how fast /api/v2/alerts can take pushes).
// Three designs upsert the same 10,000 alert-shaped rows, five rounds, into one DuckDB file:
//   params:   multi-row INSERT ... ON CONFLICT with $n parameters, 500 rows per statement
//             (the portable statement every MetaStore runs; what alert-store.ts did)
//   appender: DuckDB's appender into a temporary staging table, then one INSERT ... SELECT
//             ... ON CONFLICT from it
//   json:     every row in one JSON text parameter, unnested by DuckDB's from_json
// Prints main-thread (process CPU) and wall time per row. Then new rows (what every pushed
// alert that fires adds) through the kept code, DuckDatabase.upsert, 500 rows per call as a
// save of concurrent pushes has: as `rows` (ON CONFLICT) and as `newRows` (plain insert).
// Run: node --import tsx bench/meta-upsert.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DuckDatabase } from '../src/store/duckdb/database.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const ROUNDS = 5;
const COLS = ['env_id', 'fingerprint', 'labels', 'annotations', 'state', 'source', 'starts_at', 'ends_at', 'updated_at', 'generator_url', 'expires_at', 'value', 'acked_by', 'acked_at'];
const TYPES = ['TEXT', 'TEXT', 'TEXT', 'TEXT', 'TEXT', 'TEXT', 'BIGINT', 'BIGINT', 'BIGINT', 'TEXT', 'BIGINT', 'DOUBLE', 'TEXT', 'BIGINT'];
const DDL = (name: string, temp = '') => `CREATE ${temp} TABLE ${name} (${COLS.map((c, i) => `${c} ${TYPES[i]}`).join(', ')}${temp ? '' : ', PRIMARY KEY (env_id, fingerprint)'})`;
const UPDATES = COLS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ');

function rows(round: number): unknown[][] {
  return Array.from({ length: ROWS }, (_, i) => [
    'env-1', `fp-${i.toString(16).padStart(16, '0')}`, JSON.stringify({ alertname: `Bench${i % 50}`, instance: `host-${i}`, severity: 'warning' }), '{"summary":"bench"}',
    'firing', 'alertmanager', 1_700_000_000_000 + i, null, 1_700_000_000_000 + round, null, 1_700_000_300_000 + round, null, null, null,
  ]);
}

type Design = (conn: DuckDBConnection, data: unknown[][]) => Promise<void>;

const params: Design = async (conn, data) => {
  await conn.run('BEGIN');
  for (let i = 0; i < data.length; i += 500) {
    const chunk = data.slice(i, i + 500);
    const values = chunk.map((_, r) => `(${COLS.map((_, c) => `$${r * COLS.length + c + 1}`).join(', ')})`).join(', ');
    await conn.run(`INSERT INTO alerts VALUES ${values} ON CONFLICT (env_id, fingerprint) DO UPDATE SET ${UPDATES}`, chunk.flat() as never);
  }
  await conn.run('COMMIT');
};

const appender: Design = async (conn, data) => {
  const app = await conn.createAppender('staging');
  for (const row of data) {
    row.forEach((v, c) => {
      if (v === null) app.appendNull();
      else if (TYPES[c] === 'TEXT') app.appendVarchar(String(v));
      else if (TYPES[c] === 'BIGINT') app.appendBigInt(BigInt(v as number));
      else app.appendDouble(v as number);
    });
    app.endRow();
  }
  app.flushSync();
  app.closeSync();
  await conn.run('BEGIN');
  await conn.run(`INSERT INTO alerts SELECT * FROM staging ON CONFLICT (env_id, fingerprint) DO UPDATE SET ${UPDATES}`);
  await conn.run('COMMIT');
  await conn.run('DELETE FROM staging');
};

const json: Design = async (conn, data) => {
  const text = JSON.stringify(data.map((r) => Object.fromEntries(COLS.map((c, i) => [c, r[i]]))));
  const struct = `[{${COLS.map((c, i) => `"${c}": "${TYPES[i] === 'TEXT' ? 'VARCHAR' : TYPES[i]}"`).join(', ')}}]`;
  await conn.run('BEGIN');
  await conn.run(`INSERT INTO alerts SELECT unnest(from_json($1, '${struct}'), recursive := true) ON CONFLICT (env_id, fingerprint) DO UPDATE SET ${UPDATES}`, [text] as never);
  await conn.run('COMMIT');
};

async function measure(name: string, design: Design) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-meta-upsert-'));
  const instance = await DuckDBInstance.create(path.join(dir, 'db.duckdb'));
  const conn = await instance.connect();
  await conn.run(DDL('alerts'));
  await conn.run(DDL('staging', 'TEMP'));
  const perRow: { cpuUs: number; wallUs: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const data = rows(round);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await design(conn, data);
    const cpu = process.cpuUsage(cpu0);
    perRow.push({ cpuUs: (cpu.user + cpu.system) / ROWS, wallUs: ((performance.now() - t0) * 1000) / ROWS });
  }
  const count = Number((await conn.runAndReadAll('SELECT count(*) FROM alerts')).getRows()[0][0]);
  const check = (await conn.runAndReadAll(`SELECT max(updated_at) FROM alerts`)).getRows()[0][0];
  if (count !== ROWS || Number(check) !== 1_700_000_000_000 + ROUNDS - 1) throw new Error(`${name}: ${count} rows, updated_at ${check}`);
  conn.closeSync();
  instance.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
  // The first round inserts; later rounds update: report the best later round.
  const best = perRow.slice(1).sort((a, b) => a.wallUs - b.wallUs)[0];
  console.log(`${name.padEnd(9)} insert ${perRow[0].wallUs.toFixed(1)} us/row wall; update best ${best.wallUs.toFixed(1)} us/row wall, ${best.cpuUs.toFixed(1)} us/row CPU (all threads)`);
  return best;
}

const results: Record<string, { cpuUs: number; wallUs: number }> = {};
for (const [name, design] of Object.entries({ params, appender, json })) results[name] = await measure(name, design);
console.log(`ratios (wall, update): appender ${(results.params.wallUs / results.appender.wallUs).toFixed(1)}x faster than params, json ${(results.params.wallUs / results.json.wallUs).toFixed(1)}x`);

/** New rows, ROWS per round in calls of 500, through DuckDatabase.upsert: CPU (all threads) and wall per row, median round. */
async function newRows(asNew: boolean) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-meta-upsert-'));
  const db = await DuckDatabase.open(dir);
  await db.query(DDL('alerts'));
  const perRow: { cpuUs: number; wallUs: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const data = rows(round).map((r) => [r[0], `${r[1]}-${round}`, ...r.slice(2)]);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < data.length; i += 500) {
      const part = data.slice(i, i + 500);
      await db.upsert('alerts', COLS, ['env_id', 'fingerprint'], asNew ? [] : part, asNew ? part : []);
    }
    const cpu = process.cpuUsage(cpu0);
    perRow.push({ cpuUs: (cpu.user + cpu.system) / ROWS, wallUs: ((performance.now() - t0) * 1000) / ROWS });
  }
  const count = Number((await db.query('SELECT count(*) AS n FROM alerts'))[0].n);
  if (count !== ROWS * ROUNDS) throw new Error(`new rows: ${count} rows stored`);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return { cpuUs: mid(perRow.map((r) => r.cpuUs)), wallUs: mid(perRow.map((r) => r.wallUs)) };
}

const upserted = await newRows(false);
const inserted = await newRows(true);
console.log(`new rows, 500 per call: as rows (ON CONFLICT) ${upserted.wallUs.toFixed(1)} us/row wall, ${upserted.cpuUs.toFixed(1)} CPU; as newRows (INSERT) ${inserted.wallUs.toFixed(1)} us/row wall, ${inserted.cpuUs.toFixed(1)} CPU (${(upserted.cpuUs / inserted.cpuUs).toFixed(1)}x less CPU)`);
