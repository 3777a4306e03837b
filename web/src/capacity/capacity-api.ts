// What the capacity view reads: a service's limits with their hourly peaks and trend, and the
// plan for a multiplied load (GET /api/v1/services/:name/capacity[/plan]).
import { useQuery } from '@tanstack/react-query';
import { get } from '../app/api';
import { useSession } from '../app/session';
import type { CapacityPlan, CapacityView } from '../../../src/capacity/capacity.js';

export type { CapacityPlan, CapacityView };

const base = (service: string) => `/api/v1/services/${encodeURIComponent(service)}/capacity`;

export function useCapacity(service: string, weeks: string) {
  const { environment } = useSession();
  return useQuery({ queryKey: ['capacity', environment, service, weeks], queryFn: () => get<CapacityView>(`${base(service)}?weeks=${weeks}`) });
}

export function usePlan(service: string, weeks: string, multiplier: string, at: string) {
  const { environment } = useSession();
  const q = new URLSearchParams({ weeks, multiplier, ...(at ? { at: new Date(at).toISOString() } : {}) });
  return useQuery({
    queryKey: ['capacity-plan', environment, service, q.toString()],
    queryFn: () => get<CapacityPlan>(`${base(service)}/plan?${q}`),
    enabled: Number(multiplier) > 0,
  });
}
