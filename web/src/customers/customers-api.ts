// What the customer pages read: the most affected customers of a dataset and one customer's
// page (GET /api/v1/customers[/:id]); the window and dataset live in the URL.
import { useQuery } from '@tanstack/react-query';
import { get } from '../app/api';
import { useSession } from '../app/session';
import type { CustomerList } from '../../../src/customers/most-affected.js';
import type { CustomerPage } from '../../../src/customers/page.js';

export type { CustomerList, CustomerPage };

export const WINDOWS = ['15m', '1h', '6h', '24h', '7d'] as const;
export const SORTS = ['most_affected', 'errors', 'slow', 'events'] as const;

const params = (p: Record<string, string>) => new URLSearchParams(p).toString();

export function useCustomerList(dataset: string, window: string, sort: string) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['customers', environment, dataset, window, sort],
    queryFn: () => get<CustomerList>(`/api/v1/customers?${params({ dataset, window, sort, limit: '50' })}`),
    enabled: dataset !== '',
  });
}

export function useCustomerPage(id: string, dataset: string, window: string) {
  const { environment } = useSession();
  return useQuery({
    queryKey: ['customer', environment, id, dataset, window],
    queryFn: () => get<CustomerPage>(`/api/v1/customers/${encodeURIComponent(id)}?${params({ dataset, window })}`),
    enabled: dataset !== '',
  });
}

export function useDatasetNames() {
  const { environment } = useSession();
  return useQuery({ queryKey: ['datasets', environment], queryFn: () => get<{ name: string }[]>('/1/datasets') });
}
