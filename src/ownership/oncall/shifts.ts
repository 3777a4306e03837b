// Who is on call when: each layer of a schedule hands over every `rotation` from its `start`
// (local wall-clock time in the layer's zone, so a daily 09:00 handoff stays at 09:00 across a
// daylight-saving change: calendar arithmetic by luxon, never fixed offsets), in member order,
// limited to its restriction windows, with overrides replacing the layer's person for their span.
import { DateTime } from 'luxon';
import type { Layer, Restriction, Schedule } from '../config.js';

export interface Shift {
  email: string;
  layer: string;
  /** ms since epoch, end exclusive. */
  start: number;
  end: number;
  /** The override that put this person here. */
  override?: string;
}

export interface Override {
  id: string;
  layer: string;
  email: string;
  from: number;
  to: number;
  createdBy?: string;
}

const UNITS = { h: 'hours', d: 'days', w: 'weeks' } as const;
const NOMINAL_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

class Rotation {
  private readonly origin: DateTime;
  private readonly unit: (typeof UNITS)[keyof typeof UNITS];
  private readonly n: number;
  private readonly nominal: number;

  constructor(layer: Layer, readonly zone: string) {
    this.origin = DateTime.fromISO(layer.start, { zone });
    const u = layer.rotation.slice(-1) as keyof typeof UNITS;
    this.n = Number(layer.rotation.slice(0, -1));
    this.unit = UNITS[u];
    this.nominal = NOMINAL_MS[u] * this.n;
  }

  /** Start of shift k (k = 0 is the first); days and weeks keep the wall-clock time. */
  startOf(k: number): number {
    return this.origin.plus({ [this.unit]: this.n * k }).toMillis();
  }

  /** The shift that holds time t (may be negative: before the layer starts). */
  indexAt(t: number): number {
    let k = Math.floor((t - this.origin.toMillis()) / this.nominal);
    while (this.startOf(k) > t) k--;
    while (this.startOf(k + 1) <= t) k++;
    return k;
  }
}

/** Restriction windows (local days and times) that overlap [from, to), as absolute spans. */
function windows(restrictions: Restriction[], zone: string, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  // A window may start the day before `from` and run past midnight.
  let day = DateTime.fromMillis(from, { zone }).startOf('day').minus({ days: 1 });
  while (day.toMillis() < to) {
    const name = DAYS[day.weekday - 1];
    for (const r of restrictions) {
      if (!r.days.includes(name)) continue;
      const [fh, fm] = r.from.split(':').map(Number);
      const [th, tm] = r.to.split(':').map(Number);
      const s = day.set({ hour: fh, minute: fm });
      const endDay = r.to <= r.from ? day.plus({ days: 1 }) : day;
      const e = endDay.set({ hour: th, minute: tm });
      if (e.toMillis() > from && s.toMillis() < to) out.push([s.toMillis(), e.toMillis()]);
    }
    day = day.plus({ days: 1 });
  }
  out.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const w of out) {
    const last = merged[merged.length - 1];
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else merged.push([...w]);
  }
  return merged;
}

/** Splits a span by the overrides of its layer: the override's person where one holds. */
function applyOverrides(s: Shift, overrides: Override[]): Shift[] {
  const out: Shift[] = [];
  let cursor = s.start;
  for (const o of overrides.filter((x) => x.from < s.end && x.to > s.start).sort((a, b) => a.from - b.from)) {
    const from = Math.max(o.from, cursor);
    const to = Math.min(o.to, s.end);
    if (to <= from) continue;
    if (from > cursor) out.push({ ...s, start: cursor, end: from });
    out.push({ email: o.email, layer: s.layer, start: from, end: to, override: o.id });
    cursor = to;
  }
  if (cursor < s.end) out.push({ ...s, start: cursor });
  return out;
}

/** Every shift of one layer overlapping [from, to), whole (not cut to the window). */
export function layerShifts(layer: Layer, scheduleZone: string, from: number, to: number, overrides: Override[] = []): Shift[] {
  const zone = layer.time_zone ?? scheduleZone;
  const rot = new Rotation(layer, zone);
  const mine = overrides.filter((o) => o.layer === layer.name);
  const out: Shift[] = [];
  for (let k = Math.max(0, rot.indexAt(from)); ; k++) {
    const start = rot.startOf(k);
    if (start >= to) break;
    const end = rot.startOf(k + 1);
    if (end <= from) continue;
    const email = layer.members[k % layer.members.length];
    const spans: [number, number][] = layer.restrictions.length
      ? windows(layer.restrictions, zone, start, end).map(([s, e]) => [Math.max(s, start), Math.min(e, end)])
      : [[start, end]];
    for (const [s, e] of spans) {
      if (e <= from || s >= to) continue;
      out.push(...applyOverrides({ email, layer: layer.name, start: s, end: e }, mine).filter((x) => x.end > from && x.start < to));
    }
  }
  return out;
}

/** Shifts of every layer overlapping [from, to), by start time. */
export function scheduleShifts(schedule: Schedule, from: number, to: number, overrides: Override[] = []): Shift[] {
  return schedule.layers.flatMap((l) => layerShifts(l, schedule.time_zone, from, to, overrides)).sort((a, b) => a.start - b.start || a.layer.localeCompare(b.layer));
}

/** One entry per layer that covers time t, in layer order. */
export function onCallAt(schedule: Schedule, t: number, overrides: Override[] = []): Shift[] {
  return schedule.layers.flatMap((l) => layerShifts(l, schedule.time_zone, t, t + 1, overrides).filter((s) => s.start <= t && t < s.end));
}
