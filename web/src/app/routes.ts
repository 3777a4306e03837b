// The page table: each page is a folder under web/src and one line here. Pages load when first
// visited, so the sign-in page and home carry none of the query, trace or chart code.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface PageProps {
  params: Record<string, string>;
}

export interface Route {
  path: string;
  page: LazyExoticComponent<ComponentType<PageProps>>;
  /** Shown without signing in (and without the app's header). */
  public?: boolean;
}

export const ROUTES: Route[] = [
  { path: '/sign-in', page: lazy(() => import('../sign-in/sign-in-page')), public: true },
  { path: '/', page: lazy(() => import('../home/home-page')) },
  { path: '/query/:dataset', page: lazy(() => import('../query/query-page')) },
  { path: '/events/:dataset', page: lazy(() => import('../events/events-page')) },
  { path: '/traces/:dataset', page: lazy(() => import('../traces/traces-page')) },
  { path: '/trace/:traceId', page: lazy(() => import('../traces/trace-page')) },
  { path: '/checks', page: lazy(() => import('../checks/checks-page')) },
  { path: '/checks/:name', page: lazy(() => import('../checks/check-page')) },
];
