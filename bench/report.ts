// What every benchmark shares: percentiles, a temp folder, and the JSON record it leaves in
// bench/results/<name>.json for docs/benchmarks.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

/** The p-th percentile (0-100) of a list of numbers, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tend-${label}-`));
}

/** Writes the run's figures with the machine they were measured on. */
export function recordResult(name: string, figures: Record<string, unknown>): void {
  fs.mkdirSync(resultsDir, { recursive: true });
  const record = {
    name,
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    ...figures,
  };
  fs.writeFileSync(path.join(resultsDir, `${name}.json`), JSON.stringify(record, null, 2) + '\n');
  console.log(`recorded bench/results/${name}.json`);
}
