// The numbers an SLO shows, from its per-minute counts at one moment: good and eligible over
// the period, compliance, the error budget and what remains of it, burn rates over the
// standard windows, when the budget runs out at the last hour's rate, and a daily history.
// Pure arithmetic: the property test computes the same from raw events and compares exactly.
import type { Slo } from '../definition.js';
import { MINUTE_MS, type Counts } from '../rollups/minute-series.js';

/** The windows every SLO reports a burn rate for, in minutes. */
export const BURN_WINDOWS = { '5m': 5, '30m': 30, '1h': 60, '6h': 360, '1d': 1440, '3d': 4320 } as const;

export type Summer = (fromMinute: number, toMinute: number) => Counts;

export interface HistoryDay {
  /** Start of the day-long slice of the period (ISO 8601); slices end at the evaluation's minute. */
  start: string;
  eligible: number;
  good: number;
  compliance: number;
  /** What remained of the period's budget at the end of this slice. */
  budget_remaining: number;
}

export interface SloStatus {
  /** Evaluated at (ms); the period ends at the end of this minute. */
  evaluated_at: number;
  period_start: number;
  period_end: number;
  eligible: number;
  good: number;
  compliance: number;
  budget: number;
  budget_remaining: number;
  burn_rates: Record<keyof typeof BURN_WINDOWS, number>;
  exhaustion_at: number | null;
  history: HistoryDay[];
}

/** The minute after the one `nowMs` falls in: periods and windows end there, so the current minute counts. */
export const endMinuteOf = (nowMs: number): number => Math.floor(nowMs / MINUTE_MS) + 1;

const errorBudget = (target: number): number => 1 - target / 100;

/** How fast a window spent budget: its bad fraction over the allowed bad fraction (0 without events). */
export function burnRate(c: Counts, target: number): number {
  return c.eligible > 0 ? (c.eligible - c.good) / c.eligible / errorBudget(target) : 0;
}

/** Allowed bad events, and the fraction of them still unspent (1 with no events, negative when overspent). */
export function budgetOf(c: Counts, target: number): { budget: number; remaining: number } {
  const budget = errorBudget(target) * c.eligible;
  const bad = c.eligible - c.good;
  return { budget, remaining: budget > 0 ? (budget - bad) / budget : 1 };
}

/**
 * When the budget runs out if bad events keep coming as fast as over the last `lookback`
 * minutes: now when it is spent already, null when nothing was bad in the lookback.
 */
export function exhaustionAt(period: Counts, lookback: Counts, lookbackMinutes: number, target: number, nowMs: number): number | null {
  const { budget } = budgetOf(period, target);
  const left = budget - (period.eligible - period.good);
  if (period.eligible > 0 && left <= 0) return nowMs;
  const badPerMinute = (lookback.eligible - lookback.good) / lookbackMinutes;
  if (badPerMinute <= 0) return null;
  return Math.round(nowMs + (left / badPerMinute) * MINUTE_MS);
}

export function sloStatus(slo: Pick<Slo, 'target' | 'period_days'>, sum: Summer, nowMs: number): SloStatus {
  const end = endMinuteOf(nowMs);
  const start = end - slo.period_days * 1440;
  const period = sum(start, end);
  const { budget, remaining } = budgetOf(period, slo.target);
  const burn = Object.fromEntries(Object.entries(BURN_WINDOWS).map(([k, w]) => [k, burnRate(sum(end - w, end), slo.target)])) as SloStatus['burn_rates'];
  const history: HistoryDay[] = [];
  let bad = 0;
  for (let d = start; d < end; d += 1440) {
    const day = sum(d, d + 1440);
    bad += day.eligible - day.good;
    history.push({
      start: new Date(d * MINUTE_MS).toISOString(),
      eligible: day.eligible,
      good: day.good,
      compliance: day.eligible > 0 ? day.good / day.eligible : 1,
      budget_remaining: budget > 0 ? (budget - bad) / budget : 1,
    });
  }
  return {
    evaluated_at: nowMs,
    period_start: start * MINUTE_MS,
    period_end: end * MINUTE_MS,
    eligible: period.eligible,
    good: period.good,
    compliance: period.eligible > 0 ? period.good / period.eligible : 1,
    budget,
    budget_remaining: remaining,
    burn_rates: burn,
    exhaustion_at: exhaustionAt(period, sum(end - 60, end), 60, slo.target, nowMs),
    history,
  };
}
