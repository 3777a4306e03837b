// What the checks pages read: the checks (GET /api/v1/checks), their results and state changes
// (the tend.checks and tend.check_states datasets, through the query and event APIs).
import { useQuery } from '@tanstack/react-query';
import { get, post } from '../app/api';
import type { EventSearchResult, QueryResult } from '../app/api-types';
import { useSession } from '../app/session';

export interface CheckView {
  name: string;
  kind: string;
  state: string;
  since: string | null;
  paused_through_api: boolean;
  managed_by: string;
  last_result: { at: string; ok: boolean; duration_ms: number; error?: string; http_status_code?: number } | null;
  heartbeat?: { ping_path: string; last_ping_at?: string };
}

export interface StatusPage {
  slug: string;
  title: string;
}

const DAY = 86_400;
const ofCheck = (name: string) => [{ column: 'check.name', op: '=' as const, value: name }];

export function useChecks() {
  const { environment } = useSession();
  return useQuery({ queryKey: ['checks', environment], queryFn: () => get<{ checks: CheckView[] }>('/api/v1/checks'), refetchInterval: 5000 });
}

export function useStatusPages() {
  const { environment } = useSession();
  return useQuery({ queryKey: ['status-pages', environment], queryFn: () => get<{ status_pages: StatusPage[] }>('/api/v1/status-pages') });
}

/**
 * Share of successful results per day over 90 days (null: no results that day). A query covers
 * at most 62 days, so two of 45 days each.
 */
export function useUptime90(name: string) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['uptime90', environment, name],
    staleTime: 60_000,
    queryFn: async () => {
      const end = Math.ceil(Date.now() / 1000 / DAY) * DAY;
      const halves = [end - 90 * DAY, end - 45 * DAY].map((start) =>
        post<QueryResult>('/api/v1/query/tend.checks', {
          calculated_fields: [{ name: 'up', expression: 'IF($ok, 1, 0)' }],
          calculations: [{ op: 'AVG', column: 'up' }, { op: 'COUNT' }],
          filters: ofCheck(name),
          start_time: start,
          end_time: start + 45 * DAY,
          granularity: DAY,
        }),
      );
      const days: { day: number; up: number | null }[] = [];
      for (const r of await Promise.all(halves)) {
        for (const p of r.data.series) days.push({ day: Date.parse(p.time) / 1000, up: Number(p.data.COUNT) > 0 ? (p.data['AVG(up)'] as number) : null });
      }
      return days;
    },
  });
}

export function useResponseTimes(name: string) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['response-times', environment, name],
    refetchInterval: 30_000,
    queryFn: () => post<QueryResult>('/api/v1/query/tend.checks', { calculations: [{ op: 'AVG', column: 'duration_ms' }, { op: 'P95', column: 'duration_ms' }], filters: ofCheck(name), time_range: DAY }),
  });
}

export function useCheckEvents(dataset: 'tend.checks' | 'tend.check_states', name: string) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['check-events', environment, dataset, name],
    refetchInterval: 5000,
    queryFn: () => post<EventSearchResult>(`/api/v1/events/${dataset}/search`, { filters: ofCheck(name), time_range: 7 * DAY, limit: 50 }),
  });
}
