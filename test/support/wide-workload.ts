// The workload of issue 18 item 4 against a running Tend: one-field appends to 2,000-column
// datasets (alone, with 1,999-field events mixed in, and in a second such dataset) taken in
// turns with appends to a 20-column one, and the child's resident memory around them.
// Shared by test/wide-datasets.test.ts (the assertions) and bench/wide-memory.ts (the designs).
import fs from 'node:fs';

const ONE_FIELD_APPENDS = 30;
const WIDE_FIELDS = 1999;

/** Resident and peak resident memory of a process, in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function wideEvent(seq: number): Record<string, unknown> {
  const data: Record<string, unknown> = { seq };
  for (let i = 1; i < WIDE_FIELDS; i++) data[`f${i}`] = i % 3 === 0 ? `v${seq}-${i}` : i % 3 === 1 ? seq + i : (seq + i) / 7;
  return data;
}

/** A run's median one-field append, in ms, beside the 20-column reference taken in turns with it. */
export interface AppendMedians {
  median: number;
  narrow: number;
}

export interface WideRun {
  wide: AppendMedians;
  mixed: AppendMedians;
  wide2: AppendMedians;
  /** Resident memory at the end minus after the warm-up, and the peak minus that, in bytes. */
  grown: number;
  peakGrown: number;
}

/**
 * Runs the workload against Tend at `url` (process `pid`). `post` failures throw: every event
 * here must be accepted.
 */
export async function runWideWorkload(url: string, ingestKey: string, pid: number): Promise<WideRun> {
  let seq = 0;
  /** Posts one batch and returns how long the acknowledgement took, in ms. */
  const post = async (dataset: string, events: Record<string, unknown>[]) => {
    const t0 = performance.now();
    const res = await fetch(`${url}/1/batch/${dataset}`, {
      method: 'POST',
      headers: { 'x-honeycomb-team': ingestKey, 'content-type': 'application/json' },
      body: JSON.stringify(events.map((data) => ({ data }))),
    });
    const statuses = (await res.json()) as { status: number }[];
    const refused = statuses.find((s) => s.status !== 202);
    if (res.status !== 200 || refused) throw new Error(`batch to ${dataset}: ${res.status} ${JSON.stringify(refused ?? statuses)}`);
    return performance.now() - t0;
  };
  /**
   * Median one-field append to `dataset` and to the narrow reference, taken in turns so both
   * see the same moment of a busy machine; a wide event goes to `dataset` every `wideEvery`.
   */
  const oneFieldAppends = async (dataset: string, wideEvery = 0): Promise<AppendMedians> => {
    const times: number[] = [];
    const reference: number[] = [];
    for (let i = 0; i < ONE_FIELD_APPENDS; i++) {
      if (wideEvery > 0 && i % wideEvery === 0) await post(dataset, [wideEvent(seq++)]);
      times.push(await post(dataset, [{ seq: seq++ }]));
      reference.push(await post('narrow', [{ seq: seq++ }]));
    }
    return { median: median(times), narrow: median(reference) };
  };

  // A 20-column dataset: the reference.
  const twenty = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`c${i}`, i]));
  await post('narrow', [{ seq: seq++, ...twenty }]);
  await oneFieldAppends('narrow'); // warm-up
  const baseline = memoryOf(pid);

  // 2,000 columns from one wide event, then one-field appends; then wide events mixed in.
  await post('wide', [wideEvent(seq++)]);
  const wide = await oneFieldAppends('wide');
  const mixed = await oneFieldAppends('wide', 5);
  // A second 2,000-column dataset whose first event is wide.
  await post('wide2', [wideEvent(seq++)]);
  const wide2 = await oneFieldAppends('wide2', 4);
  const end = memoryOf(pid);
  return { wide, mixed, wide2, grown: end.rss - baseline.rss, peakGrown: end.peak - baseline.rss };
}

/** One line of figures for a run, for a test's failure message or a benchmark's output. */
export function describeRun(run: WideRun): string {
  const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
  const medians = (['wide', 'mixed', 'wide2'] as const).map((n) => `${n} ${run[n].median.toFixed(1)} ms (narrow ${run[n].narrow.toFixed(1)})`);
  return `${medians.join(', ')}, RSS +${mib(run.grown)} (peak +${mib(run.peakGrown)})`;
}
