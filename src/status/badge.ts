// Shields-style SVG badges: a grey label on the left, a coloured value on the right. Widths
// are estimated from character counts (no font metrics at hand), close enough for 11px Verdana.
import { escapeXml as escape, uptimeTier } from './escape.js';

const textWidth = (s: string): number => Math.round(s.length * 6.5 + 10);

export function badgeSvg(label: string, value: string, color: string): string {
  const lw = textWidth(label);
  const vw = textWidth(value);
  const w = lw + vw;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${escape(label)}: ${escape(value)}">
<title>${escape(label)}: ${escape(value)}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${color}"/><rect width="${w}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="14">${escape(label)}</text><text x="${lw + vw / 2}" y="14">${escape(value)}</text></g>
</svg>`;
}

export const STATE_BADGE_COLOR: Record<string, string> = { up: '#4c1', down: '#e05d44', pending: '#9f9f9f', paused: '#9f9f9f', maintenance: '#007ec6' };

const UPTIME_COLORS = ['#9f9f9f', '#4c1', '#97ca00', '#dfb317', '#e05d44'];
export const uptimeColor = (p: number | null): string => UPTIME_COLORS[uptimeTier(p)];
