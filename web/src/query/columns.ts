// A dataset's columns with their types (for autocomplete) and recent values of one column.
import { useQuery } from '@tanstack/react-query';
import { get, post } from '../app/api';
import type { EventSearchResult } from '../app/api-types';
import { useSession } from '../app/session';

export interface ColumnInfo {
  key_name: string;
  type: string;
}

export function useColumns(dataset: string) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['columns', environment, dataset],
    queryFn: () => get<ColumnInfo[]>(`/1/columns/${encodeURIComponent(dataset)}`),
    staleTime: 60_000,
  });
}

/** Distinct values of a column among the last hour's newest events (at most 20). */
export function useRecentValues(dataset: string, column: string | undefined) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['values', environment, dataset, column],
    enabled: Boolean(column),
    staleTime: 30_000,
    queryFn: async () => {
      const found = await post<EventSearchResult>(`/api/v1/events/${encodeURIComponent(dataset)}/search`, { time_range: 3600, limit: 200, columns: [column!] });
      const values = new Set<string>();
      for (const e of found.events) {
        const v = e.data[column!];
        if (v !== undefined && v !== null) values.add(String(v));
        if (values.size >= 20) break;
      }
      return [...values];
    },
  });
}
