// npm run bench:wide-memory — issue 18 item 4's memory bound, design by design. Each design
// runs the workload of test/wide-datasets.test.ts (one-field appends to two 2,000-column
// datasets, 1,999-field events mixed in, in turns with a 20-column reference) against its own
// fresh `tend serve` child, designs taking turns for BENCH_ROUNDS (2) rounds, and prints the
// child's resident memory growth (at the end and at its peak, over the moment after the
// warm-up) with the median one-field appends. A design is DuckDB's block size for the new
// data folder (its database file is created beforehand with `default_block_size`, which a
// file keeps for life), environment variables (the C allocator) or `tend serve` flags.
// BENCH_DESIGNS (JSON, same shape as DESIGNS) replaces the list.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { recordResult, tempDir } from './report.js';
import { spawnTend } from '../test/support/tend.js';
import { describeRun, runWideWorkload, type WideRun } from '../test/support/wide-workload.js';

interface Design {
  name: string;
  /** DuckDB block size in bytes for the data folder's database file (16384 to 262144). */
  blockSize?: number;
  env?: NodeJS.ProcessEnv;
  args?: string[];
}

const NO_BACKGROUND_CHECKPOINTS = ['--checkpoint-after-writes', '0', '--checkpoint-wal-mb', '0', '--checkpoint-interval', '0'];
const JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';

const DESIGNS: Design[] = JSON.parse(process.env.BENCH_DESIGNS ?? 'null') ?? [
  { name: '256 KiB blocks (as built)' },
  { name: '256 KiB, no background checkpoints', args: NO_BACKGROUND_CHECKPOINTS },
  { name: '64 KiB blocks', blockSize: 65536 },
  { name: '16 KiB blocks', blockSize: 16384 },
  { name: '16 KiB, MALLOC_ARENA_MAX=2', blockSize: 16384, env: { MALLOC_ARENA_MAX: '2' } },
  ...(fs.existsSync(JEMALLOC) ? [{ name: '256 KiB, jemalloc instead of glibc malloc', env: { LD_PRELOAD: JEMALLOC } }] : []),
];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

async function measure(design: Design): Promise<WideRun> {
  const dataDir = tempDir('wide-memory');
  if (design.blockSize) {
    const instance = await DuckDBInstance.create(path.join(dataDir, 'tend.duckdb'), { default_block_size: String(design.blockSize) });
    instance.closeSync();
  }
  const tend = await spawnTend(dataDir, 0, design.env ?? {}, design.args ?? []);
  try {
    return await runWideWorkload(tend.url, tend.ingestKey, tend.child.pid!);
  } finally {
    await tend.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Record<string, WideRun[]> = {};
for (let round = 1; round <= ROUNDS; round++) {
  for (const design of DESIGNS) {
    const run = await measure(design);
    (results[design.name] ??= []).push(run);
    console.log(`round ${round}, ${design.name}: ${describeRun(run)}`);
  }
}
recordResult('wide-memory', { designs: DESIGNS, results });
