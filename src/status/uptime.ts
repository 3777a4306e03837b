// Daily uptime per check from stored results (dataset tend.checks), through the query engine
// like any other question: COUNT by check.name and ok, one bucket per UTC day, leaving out
// results recorded during maintenance. One query covers at most 62 days, so 90 days take two.
import { CHECKS_DATASET } from '../checks/index.js';
import { QUERY_LIMITS, runQuery, type QueryDeps } from '../query/index.js';
import type { Environment } from '../store/index.js';

export interface DayUptime {
  /** YYYY-MM-DD (UTC). */
  date: string;
  total: number;
  ok: number;
}

const DAY_MS = 86_400_000;
/** Whole days per query, within the engine's window limit. */
const CHUNK_DAYS = Math.floor(QUERY_LIMITS.maxTimeRangeSeconds / 86_400);

export type UptimeDeps = QueryDeps;

/** check name -> days with results in the `days` UTC days ending today (oldest first). */
export async function dailyUptime(deps: UptimeDeps, env: Environment, names: string[], days: number, now = Date.now()): Promise<Map<string, DayUptime[]>> {
  const byDay = new Map<string, Map<string, DayUptime>>(names.map((n) => [n, new Map()]));
  if (names.length > 0 && (await deps.datasets.find(env.id, CHECKS_DATASET))) {
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    const end = today + DAY_MS;
    for (let start = today - (days - 1) * DAY_MS; start < end; start += CHUNK_DAYS * DAY_MS) {
      const result = await runQuery(deps, env, CHECKS_DATASET, {
        calculations: [{ op: 'COUNT' }],
        filters: [
          { column: 'check.name', op: 'in', value: names },
          { column: 'maintenance', op: '!=', value: true },
        ],
        breakdowns: ['check.name', 'ok'],
        start_time: start / 1000,
        end_time: Math.min(end, start + CHUNK_DAYS * DAY_MS) / 1000,
        granularity: 86_400,
        limit: names.length * 2,
      });
      for (const point of result.data.series) {
        const count = Number(point.data.COUNT ?? 0);
        const days = byDay.get(String(point.data['check.name']));
        if (!days || count === 0) continue;
        const date = point.time.slice(0, 10);
        const day = days.get(date) ?? { date, total: 0, ok: 0 };
        day.total += count;
        if (point.data.ok === true) day.ok += count;
        days.set(date, day);
      }
    }
  }
  return new Map([...byDay].map(([name, days]) => [name, [...days.values()].sort((a, b) => a.date.localeCompare(b.date))]));
}

/** The last `days` UTC dates ending with today's, oldest first. */
export function dayList(days: number, now = Date.now()): string[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}
