// npm run bench:block-size — what DuckDB's block size (`default_block_size`, fixed when a
// database file is created) does to query time and file size, for the choice left open in
// docs/benchmarks.md ("Wide datasets"): DuckDB allocates a block per column being appended to, so
// smaller blocks shrink the memory a 2,000-column table costs, if they do not slow queries.
// Raw DuckDB, one process per block size (BENCH_BLOCKS, default 262144,65536,16384), each loading
// BENCH_ROWS (3,000,000) narrow event rows, checkpointing, then running six queries of the kinds
// Tend sends (group counts, percentiles, hourly series, filters, a trace lookup, distinct counts)
// BENCH_RUNS (5) times after a warm-up; the figure is each query's median.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { median, recordResult, tempDir } from './report.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 3_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const QUERIES: Record<string, string> = {
  count_by_service: `SELECT service, count(*), avg(duration_ms) FROM ev GROUP BY 1`,
  p99_by_endpoint: `SELECT endpoint, quantile_disc(duration_ms, 0.99) FROM ev GROUP BY 1`,
  hourly_series: `SELECT time_bucket(INTERVAL 3600 SECOND, __time), service, count(*), max(duration_ms) FROM ev WHERE __time >= TIMESTAMP '2026-11-10' GROUP BY 1, 2`,
  filter_string: `SELECT count(*) FROM ev WHERE customer_id = 'cust-42' AND status_code = 500`,
  trace_lookup: `SELECT * FROM ev WHERE trace_id = md5('1')`,
  distinct_customers: `SELECT count(DISTINCT customer_id) FROM ev`,
};

/** One block size, in this process: load, checkpoint, query. */
async function measure(block: string): Promise<Record<string, number>> {
  const dir = tempDir('bench-block');
  const file = path.join(dir, 'bench.duckdb');
  const instance = await DuckDBInstance.create(file, { default_block_size: block });
  const conn = await instance.connect();
  try {
    let started = performance.now();
    await conn.run(`CREATE TABLE ev AS SELECT TIMESTAMP '2026-11-01' + INTERVAL (i) SECOND AS __time, 1::BIGINT AS __samplerate,
      'svc-' || (i % 17) AS service, '/api/v1/items/' || (i % 97) AS endpoint, 'cust-' || (i % 9973) AS customer_id,
      CASE WHEN i % 7 = 0 THEN 500 ELSE 200 END::BIGINT AS status_code, (i % 1000) / 7.0 AS duration_ms, 'web-' || (i % 31) AS host,
      i % 2 = 0 AS cache_hit, (i % 50)::BIGINT AS rows, md5(i::VARCHAR) AS trace_id FROM range(${ROWS}) r(i)`);
    await conn.run('CHECKPOINT');
    const figures: Record<string, number> = { loadMs: Math.round(performance.now() - started), fileMiB: Math.round(fs.statSync(file).size / 2 ** 20) };
    const times: Record<string, number[]> = {};
    for (let run = 0; run <= RUNS; run++) {
      for (const [name, sql] of Object.entries(QUERIES)) {
        started = performance.now();
        await conn.runAndReadAll(sql);
        if (run > 0) (times[name] ??= []).push(performance.now() - started);
      }
    }
    for (const [name, ms] of Object.entries(times)) figures[name] = Math.round(median(ms) * 10) / 10;
    return figures;
  } finally {
    conn.closeSync();
    instance.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_ONE_BLOCK) {
  process.stdout.write(JSON.stringify(await measure(process.env.BENCH_ONE_BLOCK)) + '\n');
} else {
  const results: Record<string, Record<string, number>> = {};
  for (const block of (process.env.BENCH_BLOCKS ?? '262144,65536,16384').split(',')) {
    // A process per size, so one's memory and caches do not carry into the next.
    const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_ONE_BLOCK: block } });
    results[block] = JSON.parse(out.toString()) as Record<string, number>;
    console.log(block, JSON.stringify(results[block]));
  }
  recordResult('block-size', { rows: ROWS, runs: RUNS, results });
}
