// What the incident pages read and change: GET/POST /api/v1/incidents, GET/PATCH
// /api/v1/incidents/:id and POST /api/v1/incidents/:id/notes. Shapes from the server's views.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get } from '../app/api';
import { useSession } from '../app/session';
import type { incidentJson } from '../../../src/ownership/views.js';
import type { AffectedCustomer } from '../../../src/ownership/incidents/customers.js';

export type IncidentView = ReturnType<typeof incidentJson>;
export interface IncidentDetail extends IncidentView {
  timeline: { at: string; kind: string; author: string; text: string }[];
  postmortem: string | null;
  runbook: string | null;
  /** null when the service's data could not answer in time. */
  customers_affected: AffectedCustomer[] | null;
}

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
/** The list's filter: `open` is every state but resolved. */
export const STATE_FILTERS = ['open', 'triggered', 'acknowledged', 'mitigated', 'resolved', 'all'] as const;

export function useIncidents(state: string, service: string) {
  const { environment } = useSession();
  const q = new URLSearchParams();
  if (state !== 'all') q.set('state', state);
  if (service) q.set('service', service);
  return useQuery({ queryKey: ['incidents', environment, state, service], queryFn: () => get<{ incidents: IncidentView[] }>(`/api/v1/incidents?${q}`), refetchInterval: 5000 });
}

export function useIncident(id: string) {
  const { environment } = useSession();
  return useQuery({ queryKey: ['incident', environment, id], queryFn: () => get<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`), refetchInterval: 5000 });
}

/** A change to an incident; the answer (the whole incident) replaces what the page shows. */
export function useIncidentChange(id: string) {
  const { environment } = useSession();
  const client = useQueryClient();
  return async (method: 'PATCH' | 'POST', path: string, body: unknown) => {
    const next = await api<IncidentDetail>(method, `/api/v1/incidents/${encodeURIComponent(id)}${path}`, body);
    client.setQueryData(['incident', environment, id], next);
    await client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'incidents' || q.queryKey[0] === 'services' });
    return next;
  };
}
