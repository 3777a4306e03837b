// The route tree with Alertmanager's semantics: a route takes an alert when its matchers do;
// children are tried in order and the first that takes it ends the search unless it says
// `continue`; a route whose children took nothing keeps the alert itself. Children inherit
// receiver, group_by and the three intervals from their parent.
import { parseDuration } from '../duration.js';
import type { Labels } from '../labels.js';
import { matchesAll, parseMatchers, type Matcher } from '../matchers.js';
import type { RouteConfig } from '../config.js';

export interface Route {
  /** Position in the tree ("0", "0.1", ...): part of every group key. */
  id: string;
  receiver: string;
  /** Label names to group by; 'all' for `...` (every label). */
  groupBy: string[] | 'all';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  continue: boolean;
  matchers: Matcher[];
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  /** `incident:` as the route says it (not inherited): undefined when it does not. */
  incident?: boolean;
  routes: Route[];
}

const DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 };

function matchersOf(c: RouteConfig): Matcher[] {
  const out: Matcher[] = [];
  for (const [name, value] of Object.entries(c.match ?? {})) out.push({ name, op: '=', value });
  for (const [name, value] of Object.entries(c.match_re ?? {})) out.push({ name, op: '=~', value });
  for (const m of c.matchers ?? []) out.push(...parseMatchers(m));
  return out;
}

export function buildRoute(c: RouteConfig, parent?: Route, id = '0'): Route {
  const ms = (v: string | number | undefined, inherited: number) => (v === undefined ? inherited : parseDuration(v)!);
  const groupBy = c.group_by ? (c.group_by.includes('...') ? 'all' : c.group_by) : (parent?.groupBy ?? []);
  const route: Route = {
    id,
    receiver: c.receiver ?? parent?.receiver ?? '',
    groupBy,
    groupWaitMs: ms(c.group_wait, parent?.groupWaitMs ?? DEFAULTS.groupWaitMs),
    groupIntervalMs: ms(c.group_interval, parent?.groupIntervalMs ?? DEFAULTS.groupIntervalMs),
    repeatIntervalMs: ms(c.repeat_interval, parent?.repeatIntervalMs ?? DEFAULTS.repeatIntervalMs),
    continue: parent ? (c.continue ?? false) : false,
    // The root route takes every alert, whatever it says.
    matchers: parent ? matchersOf(c) : [],
    muteTimeIntervals: c.mute_time_intervals ?? [],
    activeTimeIntervals: c.active_time_intervals ?? [],
    incident: c.incident,
    routes: [],
  };
  route.routes = (c.routes ?? []).map((child, i) => buildRoute(child, route, `${id}.${i}`));
  return route;
}

/** The routes that take an alert with these labels, in tree order (Alertmanager's Route.Match). */
export function matchRoutes(route: Route, labels: Labels): Route[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.routes) {
    const taken = matchRoutes(child, labels);
    all.push(...taken);
    if (taken.length && !child.continue) break;
  }
  return all.length ? all : [route];
}

/** The labels an alert is grouped by on a route. */
export function groupLabels(route: Route, labels: Labels): Labels {
  if (route.groupBy === 'all') return { ...labels };
  const out: Labels = {};
  for (const n of route.groupBy) if (labels[n] !== undefined) out[n] = labels[n];
  return out;
}
