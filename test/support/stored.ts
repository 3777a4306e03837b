// Reads stored events back for assertions. Test-only: product code reads through the query
// compiler, never hand-written SQL.
import type { Tend } from '../../src/server/index.js';

export async function storedEvents(tend: Tend, datasetName: string, envSlug = 'production'): Promise<Record<string, unknown>[]> {
  const env = await tend.auth.environment(envSlug);
  const ds = env && (await tend.datasets.find(env.id, datasetName));
  if (!ds) return [];
  const source = await tend.store.source([ds.id], 0, Number.MAX_SAFE_INTEGER);
  if (!source) return [];
  return tend.store.read(`SELECT *, epoch_us("__time") AS "__time_us" FROM ${source} ORDER BY "__time"`, [], { timeoutMs: 30_000 });
}

