// What the deploy page reads: a deploy's report (GET /api/v1/deploys/:id/report), asked again
// every 15 s while it is pending.
import { useQuery } from '@tanstack/react-query';
import { get } from '../app/api';
import { useSession } from '../app/session';
import type { DeployReport, Finding } from '../../../src/deploys/index.js';

export type { DeployReport, Finding };

export function useDeployReport(id: string) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['deploy-report', environment, id],
    queryFn: () => get<DeployReport>(`/api/v1/deploys/${encodeURIComponent(id)}/report`),
    refetchInterval: (q) => (q.state.data?.status === 'pending' ? 15_000 : false),
  });
}
