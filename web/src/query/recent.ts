// Recent queries, kept on the server per person and environment (GET/POST
// /api/v1/ui/recent-queries): the newest first, the same on every browser the person uses.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../app/api';
import type { QuerySpec } from '../app/api-types';
import { useSession } from '../app/session';

export interface RecentQuery {
  dataset: string;
  spec: QuerySpec;
  at: string;
}

type Answer = { recent: RecentQuery[] };

export function useRecentQueries() {
  const { environment } = useSession();
  return useQuery({ queryKey: ['recent-queries', environment], queryFn: () => get<Answer>('/api/v1/ui/recent-queries'), staleTime: 60_000 });
}

/** Keeps a query that ran; the answer is the new list. A failure only costs the list its entry. */
export function useRemember() {
  const { environment } = useSession();
  const client = useQueryClient();
  return (dataset: string, spec: QuerySpec) =>
    post<Answer>('/api/v1/ui/recent-queries', { dataset, spec }).then(
      (answer) => client.setQueryData(['recent-queries', environment], answer),
      () => undefined,
    );
}

/** "COUNT, P99(duration_ms) WHERE status >= 500 GROUP BY route" */
export function describe(spec: QuerySpec): string {
  const calcs = (spec.calculations ?? [{ op: 'COUNT' }]).map((c) => (c.column ? `${c.op}(${c.column})` : c.op)).join(', ');
  const where = spec.filters?.length ? ` WHERE ${spec.filters.map((f) => `${f.column} ${f.op}${f.value === undefined || f.value === null ? '' : ` ${JSON.stringify(f.value)}`}`).join(` ${spec.filter_combination ?? 'AND'} `)}` : '';
  const group = spec.breakdowns?.length ? ` GROUP BY ${spec.breakdowns.join(', ')}` : '';
  return calcs + where + group;
}
