// Daily uptime per check from stored results (dataset tend.checks): the share of results
// that were ok, per UTC day, leaving out results recorded during maintenance.
// The query engine caps one query at 62 days, and the status page shows 90, so this one
// small read builds its own SQL under the project's rule: identifiers quoted, values as $n.
import { CHECKS_DATASET } from '../checks/index.js';
import { quoteIdent, type DatasetRegistry, type Environment, type EventStore } from '../store/index.js';

export interface DayUptime {
  /** YYYY-MM-DD (UTC). */
  date: string;
  total: number;
  ok: number;
}

const DAY_MS = 86_400_000;

export interface UptimeDeps {
  store: EventStore;
  datasets: DatasetRegistry;
}

/** check name -> days with results in the `days` UTC days ending today (oldest first). */
export async function dailyUptime(deps: UptimeDeps, env: Environment, names: string[], days: number, now = Date.now()): Promise<Map<string, DayUptime[]>> {
  const out = new Map<string, DayUptime[]>(names.map((n) => [n, []]));
  if (names.length === 0) return out;
  const ds = await deps.datasets.find(env.id, CHECKS_DATASET);
  if (!ds) return out;
  const columns = new Set((await deps.store.columns(ds.id)).map((c) => c.name));
  if (!columns.has('check.name') || !columns.has('ok')) return out;
  const fromMs = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const source = await deps.store.source([ds.id], fromMs * 1000, (now + DAY_MS) * 1000);
  if (!source) return out;
  const name = quoteIdent('check.name');
  const ok = quoteIdent('ok');
  const rate = quoteIdent('__samplerate');
  const time = quoteIdent('__time');
  const inList = names.map((_, i) => `$${i + 2}`).join(', ');
  const notMaintenance = columns.has('maintenance') ? ` AND ${quoteIdent('maintenance')} IS NOT TRUE` : '';
  const sql =
    `SELECT strftime(${time}, '%Y-%m-%d') AS day, ${name} AS name, SUM(${rate}) AS total, ` +
    `SUM(CASE WHEN ${ok} THEN ${rate} ELSE 0 END) AS ok_count FROM ${source} ` +
    `WHERE epoch_us(${time}) >= $1 AND ${name} IN (${inList})${notMaintenance} GROUP BY 1, 2 ORDER BY 1`;
  const rows = await deps.store.read(sql, [fromMs * 1000, ...names], { timeoutMs: 10_000 });
  for (const r of rows) out.get(String(r.name))?.push({ date: String(r.day), total: Number(r.total), ok: Number(r.ok_count) });
  return out;
}

/** The last `days` UTC dates ending with today's, oldest first. */
export function dayList(days: number, now = Date.now()): string[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}
