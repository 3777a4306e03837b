// Recent queries, kept per user and environment in this browser (newest first, at most 20).
import type { QuerySpec } from '../app/api-types';

export interface RecentQuery {
  dataset: string;
  spec: QuerySpec;
  at: number;
}

const keyOf = (userId: string, env: string) => `tend.recent.${userId}.${env}`;

export function recentQueries(userId: string, env: string): RecentQuery[] {
  try {
    return JSON.parse(localStorage.getItem(keyOf(userId, env)) ?? '[]') as RecentQuery[];
  } catch {
    return [];
  }
}

export function remember(userId: string, env: string, dataset: string, spec: QuerySpec): void {
  const text = JSON.stringify(spec);
  const list = recentQueries(userId, env).filter((q) => q.dataset !== dataset || JSON.stringify(q.spec) !== text);
  list.unshift({ dataset, spec, at: Date.now() });
  localStorage.setItem(keyOf(userId, env), JSON.stringify(list.slice(0, 20)));
}

/** "COUNT, P99(duration_ms) WHERE status >= 500 GROUP BY route" */
export function describe(spec: QuerySpec): string {
  const calcs = (spec.calculations ?? [{ op: 'COUNT' }]).map((c) => (c.column ? `${c.op}(${c.column})` : c.op)).join(', ');
  const where = spec.filters?.length ? ` WHERE ${spec.filters.map((f) => `${f.column} ${f.op}${f.value === undefined || f.value === null ? '' : ` ${JSON.stringify(f.value)}`}`).join(` ${spec.filter_combination ?? 'AND'} `)}` : '';
  const group = spec.breakdowns?.length ? ` GROUP BY ${spec.breakdowns.join(', ')}` : '';
  return calcs + where + group;
}
