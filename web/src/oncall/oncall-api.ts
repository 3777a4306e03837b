// What the on-call calendar reads and changes: the schedules, who is on call now, the shifts of a
// week (GET /api/v1/schedules/:name/shifts, overrides applied) and the overrides themselves.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get } from '../app/api';
import { useSession } from '../app/session';

export interface ScheduleView {
  name: string;
  time_zone: string;
  layers: { name: string; members: string[]; rotation: string }[];
}
export interface ShiftView {
  email: string;
  name: string | null;
  layer: string;
  start: string;
  end: string;
  override: string | null;
}
export interface OverrideView {
  id: string;
  layer: string;
  email: string;
  from: string;
  to: string;
  created_by: string | null;
}
interface OnCallAnswer {
  on_call: { email: string; name: string | null; layer: string; shift_start: string; shift_end: string; override: string | null }[];
}

const path = (schedule: string, rest = '') => `/api/v1/schedules/${encodeURIComponent(schedule)}${rest}`;

export function useSchedules() {
  const { environment } = useSession();
  return useQuery({ queryKey: ['schedules', environment], queryFn: () => get<{ schedules: ScheduleView[] }>('/api/v1/schedules') });
}

export function useOnCallNow(schedule: string) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['oncall', environment, schedule],
    queryFn: () => get<OnCallAnswer>(`/api/v1/oncall?schedule=${encodeURIComponent(schedule)}`),
    refetchInterval: 60_000,
    enabled: !!schedule,
  });
}

export function useShifts(schedule: string, from: Date, to: Date) {
  const { environment } = useSession();
  const q = `?from=${from.toISOString()}&to=${to.toISOString()}`;
  return useQuery({ queryKey: ['oncall', environment, schedule, q], queryFn: () => get<{ shifts: ShiftView[] }>(path(schedule, `/shifts${q}`)), enabled: !!schedule });
}

export function useOverrides(schedule: string) {
  const { environment } = useSession();
  return useQuery({ queryKey: ['oncall', environment, schedule, 'overrides'], queryFn: () => get<{ overrides: OverrideView[] }>(path(schedule, '/overrides')), enabled: !!schedule });
}

/** Adds or deletes an override; everything shown of on-call is asked again after. */
export function useOverrideChange(schedule: string) {
  const client = useQueryClient();
  return async (method: 'POST' | 'DELETE', body?: Omit<OverrideView, 'id' | 'created_by'>, id?: string) => {
    await api(method, path(schedule, `/overrides${id ? `/${encodeURIComponent(id)}` : ''}`), body);
    await client.invalidateQueries({ queryKey: ['oncall'] });
    await client.invalidateQueries({ queryKey: ['services'] });
  };
}
