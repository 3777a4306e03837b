// npm run bench:wide-packing — the design docs/benchmarks.md ("Memory of wide datasets") leaves
// for whoever bounds a table's width: the fields of a 2,000-field event beyond the first 200
// (BENCH_KEPT) packed into one column (a MAP or a JSON string) instead of 1,800 more columns. Raw DuckDB,
// one process per layout, measuring (1) the resident memory of the wide test's pattern (two
// tables, eight one-row commits each, a checkpoint after every fourth, as a running server
// makes) and (2) the time to sum one packed field over BENCH_ROWS (5,000) rows of such events,
// checkpointed, median of BENCH_RUNS (5), against the same field as a column of its own.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { median, recordResult, tempDir } from './report.js';

const FIELDS = 2000;
const KEPT = Number(process.env.BENCH_KEPT ?? 200);
const ROWS = Number(process.env.BENCH_ROWS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** The field read back: one of the packed ones. */
const PROBE = 1500;

type Layout = 'columns' | 'map' | 'json';

/** Column definitions and, for rows numbered by `i`, the SELECT list that fills them. */
function shape(layout: Layout): { columns: string; values: string; read: string } {
  const count = layout === 'columns' ? FIELDS : KEPT;
  const columns = Array.from({ length: count }, (_, k) => `f${k} BIGINT`);
  const values = Array.from({ length: count }, (_, k) => `i + ${k}`);
  const packed = `map_from_entries(list_transform(range(${KEPT}, ${FIELDS}), k -> struct_pack(k := 'f' || k, v := (i + k)::VARCHAR)))`;
  if (layout === 'map') return { columns: [...columns, 'packed MAP(VARCHAR, VARCHAR)'].join(', '), values: [...values, packed].join(', '), read: `sum(CAST(map_extract(packed, 'f${PROBE}')[1] AS BIGINT))` };
  if (layout === 'json') return { columns: [...columns, 'packed VARCHAR'].join(', '), values: [...values, `to_json(${packed})::VARCHAR`].join(', '), read: `sum(CAST(json_extract_string(packed, '$.f${PROBE}') AS BIGINT))` };
  return { columns: columns.join(', '), values: values.join(', '), read: `sum(f${PROBE})` };
}

function rssMiB(): number {
  return Math.round(Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024);
}

async function open(dir: string): Promise<{ conn: DuckDBConnection; close: () => void }> {
  const instance = await DuckDBInstance.create(path.join(dir, 'bench.duckdb'));
  const conn = await instance.connect();
  return { conn, close: () => (conn.closeSync(), instance.closeSync()) };
}

/** One layout, in this process. */
async function measure(layout: Layout): Promise<Record<string, number>> {
  const s = shape(layout);
  const dir = tempDir('bench-packing');
  const figures: Record<string, number> = {};
  try {
    let db = await open(dir);
    const before = rssMiB();
    for (const t of ['a', 'b']) {
      await db.conn.run(`CREATE TABLE ${t} (__time TIMESTAMP, ${s.columns})`);
      for (let n = 1; n <= 8; n++) {
        await db.conn.run(`INSERT INTO ${t} SELECT now(), ${s.values} FROM range(${n}, ${n + 1}) r(i)`);
        if (n % 4 === 0) await db.conn.run('CHECKPOINT');
      }
    }
    figures.rssGrowthMiB = rssMiB() - before;
    db.close();

    db = await open(dir);
    await db.conn.run(`CREATE TABLE q (__time TIMESTAMP, ${s.columns})`);
    let started = performance.now();
    await db.conn.run(`INSERT INTO q SELECT now(), ${s.values} FROM range(${ROWS}) r(i)`);
    await db.conn.run('CHECKPOINT');
    figures.loadMs = Math.round(performance.now() - started);
    const times: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      started = performance.now();
      const sum = (await db.conn.runAndReadAll(`SELECT ${s.read} AS s FROM q`)).getRowObjectsJS()[0].s;
      if (run > 0) times.push(performance.now() - started);
      figures.sum = Number(sum);
    }
    figures.readMs = Math.round(median(times) * 10) / 10;
    db.close();
    figures.fileMiB = Math.round(fs.statSync(path.join(dir, 'bench.duckdb')).size / 2 ** 20);
    return figures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_ONE_LAYOUT) {
  process.stdout.write(JSON.stringify(await measure(process.env.BENCH_ONE_LAYOUT as Layout)) + '\n');
} else {
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, Record<string, number>> = {};
  for (const layout of ['columns', 'map', 'json'] as Layout[]) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', self], { env: { ...process.env, BENCH_ONE_LAYOUT: layout }, encoding: 'utf8' });
    results[layout] = JSON.parse(out.trim().split('\n').pop()!);
    console.log(layout, JSON.stringify(results[layout]));
  }
  recordResult('wide-packing', { fields: FIELDS, kept: KEPT, rows: ROWS, runs: RUNS, results });
}
