// Per-minute good and eligible counts through the query engine: one query per dataset and run
// of minutes, with the SLI as a calculated field, COUNT (weighted by sample rate, as every
// COUNT is) broken down by it, in one-minute buckets. The engine allows 1,000 buckets per
// query, so longer runs are split.
import { HttpError } from '../../http/index.js';
import { QUERY_LIMITS, runQuery, type QueryDeps } from '../../query/index.js';
import type { Environment } from '../../store/index.js';
import { MINUTE_MS } from './minute-series.js';

/** The calculated field's name: calculated fields resolve before columns, so no column hides it. */
const SLI_FIELD = '__tend_sli';

export class SliError extends Error {}

/** Per-minute counts of [from, to): index i is minute from + i. */
export interface MinuteCounts {
  good: Float64Array;
  eligible: Float64Array;
}

export async function computeMinutes(
  deps: QueryDeps,
  env: Environment,
  dataset: string,
  expression: string,
  from: number,
  to: number,
  timeoutMs: number,
): Promise<MinuteCounts> {
  const out: MinuteCounts = { good: new Float64Array(to - from), eligible: new Float64Array(to - from) };
  for (let a = from; a < to; a += QUERY_LIMITS.maxPoints) {
    const b = Math.min(a + QUERY_LIMITS.maxPoints, to);
    const spec = {
      calculated_fields: [{ name: SLI_FIELD, expression }],
      calculations: [{ op: 'COUNT' as const }],
      breakdowns: [SLI_FIELD],
      start_time: (a * MINUTE_MS) / 1000,
      end_time: (b * MINUTE_MS) / 1000,
      granularity: 60,
      limit: 10,
    };
    let result;
    try {
      result = await runQuery(deps, env, dataset, spec, { timeoutMs });
    } catch (err) {
      // A dataset nothing was written to yet holds no events.
      if (err instanceof HttpError && err.status === 404) return out;
      if (err instanceof HttpError && err.status === 400) throw new SliError(err.message.replace(/^calculated_fields\[0\]\.expression: /, 'sli: '));
      throw err;
    }
    for (const p of result.data.series) {
      const v = p.data[SLI_FIELD];
      if (v !== true && v !== false) continue; // null (or anything but a verdict): the event does not count
      const i = Date.parse(p.time) / MINUTE_MS - from;
      const n = Number(p.data.COUNT);
      out.eligible[i] += n;
      if (v === true) out.good[i] += n;
    }
  }
  return out;
}
