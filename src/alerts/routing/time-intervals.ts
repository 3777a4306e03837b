// Alertmanager's time intervals (times of day, weekdays, days of the month, months, years, in
// a location): a route's mute_time_intervals silence it while one holds, its
// active_time_intervals silence it while none does.
import type { TimeInterval } from '../config.js';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function parts(ms: number, tz: string) {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'long' });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const daysInMonth = new Date(Date.UTC(Number(p.year), Number(p.month), 0)).getUTCDate();
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), minutes: Number(p.hour) * 60 + Number(p.minute), weekday: WEEKDAYS.indexOf(p.weekday.toLowerCase()), daysInMonth };
}

function inRanges(ranges: string[] | undefined, value: number, names?: string[], size?: number): boolean {
  if (!ranges?.length) return true;
  const num = (s: string) => {
    const i = names?.indexOf(s.toLowerCase()) ?? -1;
    if (i >= 0) return names === MONTHS ? i + 1 : i;
    const n = Number(s);
    // Negative days of the month count from its end (-1 is the last day).
    return n < 0 && size ? size + n + 1 : n;
  };
  return ranges.some((r) => {
    const [a, b = a] = r.split(':');
    return value >= num(a) && value <= num(b);
  });
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function intervalHolds(ti: TimeInterval, ms: number): boolean {
  const p = parts(ms, ti.location ?? 'UTC');
  if (ti.times?.length && !ti.times.some((t) => p.minutes >= minutesOf(t.start_time) && p.minutes < minutesOf(t.end_time))) return false;
  return inRanges(ti.weekdays, p.weekday, WEEKDAYS) && inRanges(ti.days_of_month, p.day, undefined, p.daysInMonth) && inRanges(ti.months, p.month, MONTHS) && inRanges(ti.years, p.year);
}

export function anyHolds(named: Map<string, TimeInterval[]>, names: string[], ms: number): boolean {
  return names.some((n) => (named.get(n) ?? []).some((ti) => intervalHolds(ti, ms)));
}
