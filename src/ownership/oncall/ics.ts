// The shifts of a schedule as an iCalendar feed (RFC 5545): one VEVENT per shift in UTC, lines
// ended by CRLF and folded at 75 octets, text escaped, so calendar apps subscribe to it as is.
import type { Shift } from './shifts.js';

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const escapeText = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** Folds a content line at 75 octets (continuation lines start with a space), never inside a character. */
function fold(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let limit = 75;
  for (const ch of line) {
    if (Buffer.byteLength(cur + ch) > limit) {
      out.push(cur);
      cur = ' ';
      limit = 75;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

export function icsFeed(schedule: string, shifts: Shift[], names: Map<string, string>, nowMs: number): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Tend//On-call//EN', 'CALSCALE:GREGORIAN', `X-WR-CALNAME:${escapeText(`On call: ${schedule}`)}`];
  for (const s of shifts) {
    const who = names.get(s.email) || s.email;
    lines.push(
      'BEGIN:VEVENT',
      `UID:${s.start}-${s.layer}-${s.email}@${schedule}.tend`,
      `DTSTAMP:${stamp(nowMs)}`,
      `DTSTART:${stamp(s.start)}`,
      `DTEND:${stamp(s.end)}`,
      `SUMMARY:${escapeText(`On call: ${who} (${s.layer})`)}`,
      `DESCRIPTION:${escapeText(`${s.email} is on call for ${schedule}, layer ${s.layer}${s.override ? ' (override)' : ''}`)}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.flatMap(fold).join('\r\n') + '\r\n';
}
