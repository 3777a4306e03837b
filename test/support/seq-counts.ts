// Counts stored events by their `seq` field, for tests that must prove every acknowledged
// event is stored exactly once. Test-only, like stored.ts: reads the store directly.
import type { Tend } from '../../src/server/index.js';

/** seq -> number of stored events carrying it, for one dataset of one environment. */
export async function storedSeqCounts(tend: Tend, datasetName: string, envSlug = 'production'): Promise<Map<number, number>> {
  const env = await tend.auth.environment(envSlug);
  const ds = env && (await tend.datasets.find(env.id, datasetName));
  const source = ds && (await tend.store.source([ds.id], 0, Number.MAX_SAFE_INTEGER));
  if (!source) return new Map();
  const rows = await tend.store.read(`SELECT "seq", count(*) AS "n" FROM ${source} GROUP BY "seq"`, [], { timeoutMs: 60_000 });
  return new Map(rows.map((r) => [Number(r.seq), Number(r.n)]));
}

/** The acknowledged seqs that are missing or stored more than once, and every duplicate. */
export function seqProblems(acked: Iterable<number>, counts: Map<number, number>): { missing: number[]; duplicated: number[] } {
  const missing: number[] = [];
  for (const seq of acked) if (!counts.has(seq)) missing.push(seq);
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([seq]) => seq);
  return { missing, duplicated };
}
