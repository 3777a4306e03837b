// The public status page as one self-contained HTML document (no scripts, inline styles):
// overall verdict, open notices, and per check its state and 90 daily uptime bars.
import { escapeXml as escape, uptimeTier } from './escape.js';
import type { PageData } from './page-data.js';

const STATE_COLOR: Record<string, string> = { up: '#2da44e', down: '#cf222e', pending: '#8c959f', paused: '#8c959f', maintenance: '#0969da', unknown: '#8c959f' };

const OVERALL_TEXT: Record<PageData['overall'], string> = {
  operational: 'All systems operational',
  degraded: 'Some systems are down',
  down: 'All systems are down',
  maintenance: 'Maintenance in progress',
  unknown: 'Status not yet known',
};

const BAR_COLORS = ['#d0d7de', '#2da44e', '#9be9a8', '#d4a72c', '#cf222e'];
export const barColor = (p: number | null): string => BAR_COLORS[uptimeTier(p)];

export function renderStatusPage(d: PageData): string {
  const notices = d.notices
    .map((n) => `<section class="notice ${escape(n.severity)}"><h3>${escape(n.title)}</h3><p>${escape(n.body)}</p><time>${escape(n.created_at)}</time></section>`)
    .join('');
  const checks = d.checks
    .map((c) => {
      const bars = c.days
        .map((day) => `<span class="bar" style="background:${barColor(day.uptime_percent)}" title="${day.date}: ${day.uptime_percent === null ? 'no data' : `${day.uptime_percent}% of ${day.results} results ok`}"></span>`)
        .join('');
      const uptime = c.uptime_percent === null ? 'no data' : `${c.uptime_percent}% uptime`;
      return `<li class="check"><div class="row"><strong>${escape(c.name)}</strong><span class="state" style="color:${STATE_COLOR[c.state] ?? '#8c959f'}">${escape(c.state)}</span></div><div class="bars">${bars}</div><div class="row small"><span>90 days ago</span><span>${uptime}</span><span>today</span></div></li>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(d.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
.overall{padding:1rem;border-radius:6px;color:#fff;background:${d.overall === 'operational' ? '#2da44e' : d.overall === 'maintenance' ? '#0969da' : d.overall === 'unknown' ? '#8c959f' : '#cf222e'}}
.notice{border-left:4px solid #d4a72c;padding:.25rem 1rem;margin:1rem 0;background:#fff8c5}.notice.major{border-color:#cf222e}.notice.maintenance{border-color:#0969da;background:#ddf4ff}
ul{list-style:none;padding:0}.check{margin:1.5rem 0}.row{display:flex;justify-content:space-between}.small{font-size:.8rem;color:#656d76}
.bars{display:flex;gap:2px;height:2rem;margin:.4rem 0}.bar{flex:1;border-radius:2px}
</style></head><body>
<h1>${escape(d.title)}</h1>
<p class="overall">${OVERALL_TEXT[d.overall]}</p>
${notices}
<ul>${checks}</ul>
<p class="small">Updated ${escape(d.generated_at)} · <a href="/status/${escape(d.slug)}.json">JSON</a></p>
</body></html>
`;
}
