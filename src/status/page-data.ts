// What a status page shows, as data: each chosen check's current state and daily uptime for
// the last 90 days, the open notices, and an overall verdict. The HTML and JSON views both
// render this.
import type { CheckState, ChecksService, StatusPageRecord } from '../checks/index.js';
import type { Environment } from '../store/index.js';
import type { Notice } from './notices.js';
import { dailyUptime, dayList, type UptimeDeps } from './uptime.js';

export const STATUS_DAYS = 90;

export interface PageCheck {
  name: string;
  kind: string;
  state: CheckState | 'unknown';
  since?: string;
  /** Percent of ok results over the window, or null with no results. */
  uptime_percent: number | null;
  days: { date: string; uptime_percent: number | null; results: number }[];
}

export interface PageData {
  slug: string;
  title: string;
  overall: 'operational' | 'degraded' | 'down' | 'maintenance' | 'unknown';
  checks: PageCheck[];
  notices: Notice[];
  generated_at: string;
}

export const percent = (ok: number, total: number): number | null => (total > 0 ? Math.round((ok / total) * 100_000) / 1000 : null);

export async function pageData(deps: UptimeDeps, checks: ChecksService, env: Environment, page: StatusPageRecord, notices: Notice[], now = Date.now()): Promise<PageData> {
  const uptime = await dailyUptime(deps, env, page.checks, STATUS_DAYS, now);
  const dates = dayList(STATUS_DAYS, now);
  const list: PageCheck[] = page.checks.map((name) => {
    const rec = checks.find(env.id, name);
    const view = rec && checks.view(rec);
    const byDate = new Map((uptime.get(name) ?? []).map((d) => [d.date, d]));
    let ok = 0;
    let total = 0;
    const days = dates.map((date) => {
      const d = byDate.get(date);
      ok += d?.ok ?? 0;
      total += d?.total ?? 0;
      return { date, uptime_percent: d ? percent(d.ok, d.total) : null, results: d?.total ?? 0 };
    });
    return { name, kind: rec?.kind ?? 'unknown', state: view?.state ?? 'unknown', since: view?.since, uptime_percent: percent(ok, total), days };
  });
  return { slug: page.slug, title: page.title, overall: overall(list), checks: list, notices, generated_at: new Date(now).toISOString() };
}

function overall(checks: PageCheck[]): PageData['overall'] {
  const states = checks.map((c) => c.state);
  if (states.length === 0) return 'unknown';
  if (states.every((s) => s === 'down')) return 'down';
  if (states.includes('down')) return 'degraded';
  if (states.includes('maintenance')) return 'maintenance';
  if (states.every((s) => s === 'up' || s === 'paused')) return 'operational';
  return 'unknown';
}
