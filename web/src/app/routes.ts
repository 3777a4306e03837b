// The page table: each page is a folder under web/src and one line here. Pages load when first
// visited, so the sign-in page and home carry none of the query, trace or chart code.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface PageProps {
  params: Record<string, string>;
}

export interface Route {
  path: string;
  /** Fetches the page's code; the app calls it at once, while it asks who is signed in. */
  load: () => Promise<{ default: ComponentType<PageProps> }>;
  page: LazyExoticComponent<ComponentType<PageProps>>;
  /** Shown without signing in (and without the app's header). */
  public?: boolean;
}

const page = (path: string, load: Route['load'], isPublic = false): Route => ({ path, load, page: lazy(load), public: isPublic });

export const ROUTES: Route[] = [
  page('/sign-in', () => import('../sign-in/sign-in-page'), true),
  page('/', () => import('../home/home-page')),
  page('/query/:dataset', () => import('../query/query-page')),
  page('/events/:dataset', () => import('../events/events-page')),
  page('/traces/:dataset', () => import('../traces/traces-page')),
  page('/trace/:traceId', () => import('../traces/trace-page')),
  page('/checks', () => import('../checks/checks-page')),
  page('/checks/:name', () => import('../checks/check-page')),
  page('/services', () => import('../services/services-page')),
  page('/services/:name', () => import('../services/service-page')),
  page('/oncall', () => import('../oncall/oncall-page')),
  page('/incidents', () => import('../incidents/incidents-page')),
  page('/incidents/:id', () => import('../incidents/incident-page')),
  page('/deploys/:id', () => import('../deploys/deploy-page')),
  page('/customers', () => import('../customers/customers-page')),
  page('/customers/:id', () => import('../customers/customer-page')),
  page('/capacity/:service', () => import('../capacity/capacity-page')),
];
