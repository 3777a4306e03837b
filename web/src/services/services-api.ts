// What the services pages read: GET /api/v1/services and /api/v1/services/:name (owner, on-call
// now, open incidents, firing alerts, faults, checks, SLOs, runbook and handoff status). The
// shapes are the server's own (src/ownership/views.ts), not written again here.
import { useQuery } from '@tanstack/react-query';
import { get } from '../app/api';
import { useSession } from '../app/session';
import type { serviceJson } from '../../../src/ownership/views.js';

export type ServiceView = Awaited<ReturnType<typeof serviceJson>>;

export function useServices() {
  const { environment } = useSession();
  return useQuery({ queryKey: ['services', environment], queryFn: () => get<{ services: ServiceView[] }>('/api/v1/services'), refetchInterval: 10_000 });
}

export function useService(name: string) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['services', environment, name],
    queryFn: () => get<ServiceView>(`/api/v1/services/${encodeURIComponent(name)}`),
    refetchInterval: 10_000,
  });
}

/** `handed_back` -> `handed back`: the status as people read it. */
export const statusWords = (s: string) => s.replace(/_/g, ' ');
