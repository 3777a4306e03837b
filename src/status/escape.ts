// Text placed into HTML and SVG is escaped here, in one place.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** Uptime tiers shared by bars and badges: 0 no data, 1 >= 99.9, 2 >= 99, 3 >= 95, 4 below. */
export function uptimeTier(p: number | null): 0 | 1 | 2 | 3 | 4 {
  if (p === null) return 0;
  if (p >= 99.9) return 1;
  if (p >= 99) return 2;
  if (p >= 95) return 3;
  return 4;
}
