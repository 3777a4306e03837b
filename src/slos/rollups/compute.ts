// Per-minute good and eligible counts through the query engine, for several SLIs over one
// dataset in one query: each SLI is a calculated field, with two more per SLI counting its
// verdicts (`IF($sli, 1, 0)` good, `IF(EXISTS($sli), 1, 0)` eligible), summed (SUM weighs by
// sample rate, as COUNT does) in one-minute buckets. The engine allows 1,000 buckets and 100
// calculated fields per query, so long runs and many SLIs are split.
import { HttpError } from '../../http/index.js';
import { QUERY_LIMITS, runQuery, type QueryDeps } from '../../query/index.js';
import type { Environment } from '../../store/index.js';
import { MINUTE_MS } from './minute-series.js';

/** Calculated fields per SLI: the verdict, good and eligible. */
const FIELDS_PER_SLI = 3;
const SLIS_PER_QUERY = Math.floor(100 / FIELDS_PER_SLI);

export class SliError extends Error {}

/** Per-minute counts of [from, to) for each SLI: index i is minute from + i. */
export interface MinuteCounts {
  good: Float64Array;
  eligible: Float64Array;
}

export interface Computed {
  counts: MinuteCounts[];
  queries: number;
}

export async function computeMinutes(
  deps: QueryDeps,
  env: Environment,
  dataset: string,
  expressions: string[],
  from: number,
  to: number,
  timeoutMs: number,
): Promise<Computed> {
  const counts = expressions.map(() => ({ good: new Float64Array(to - from), eligible: new Float64Array(to - from) }));
  let queries = 0;
  for (let first = 0; first < expressions.length; first += SLIS_PER_QUERY) {
    const some = expressions.slice(first, first + SLIS_PER_QUERY);
    // Calculated fields resolve before columns, so these names hide no column.
    const calculated_fields = some.flatMap((expression, k) => [
      { name: `__tend_sli_${k}`, expression },
      { name: `__tend_good_${k}`, expression: `IF($__tend_sli_${k}, 1, 0)` },
      { name: `__tend_eligible_${k}`, expression: `IF(EXISTS($__tend_sli_${k}), 1, 0)` },
    ]);
    const calculations = some.flatMap((_, k) => [
      { op: 'SUM' as const, column: `__tend_good_${k}`, name: `g${k}` },
      { op: 'SUM' as const, column: `__tend_eligible_${k}`, name: `e${k}` },
    ]);
    for (let a = from; a < to; a += QUERY_LIMITS.maxPoints) {
      const b = Math.min(a + QUERY_LIMITS.maxPoints, to);
      const spec = { calculated_fields, calculations, start_time: (a * MINUTE_MS) / 1000, end_time: (b * MINUTE_MS) / 1000, granularity: 60 };
      let result;
      try {
        queries++;
        result = await runQuery(deps, env, dataset, spec, { timeoutMs });
      } catch (err) {
        // A dataset nothing was written to yet holds no events.
        if (err instanceof HttpError && err.status === 404) return { counts, queries };
        if (err instanceof HttpError && err.status === 400) throw new SliError(err.message.replace(/^calculated_fields\[\d+\]\.expression: /, 'sli: '));
        throw err;
      }
      for (const p of result.data.series) {
        const i = Date.parse(p.time) / MINUTE_MS - from;
        some.forEach((_, k) => {
          counts[first + k].good[i] = Number(p.data[`g${k}`]);
          counts[first + k].eligible[i] = Number(p.data[`e${k}`]);
        });
      }
    }
  }
  return { counts, queries };
}
