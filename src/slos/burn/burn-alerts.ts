// How each kind of burn alert decides, at one evaluation, from the SLO's per-minute counts:
// - burn_rate (the SRE workbook's multi-window rule): both the long and the short window burn
//   budget faster than `factor` times the rate that would spend it exactly over the period;
// - exhaustion_time (Honeycomb's): at the lookback's rate of bad events, the budget runs out
//   within `minutes` (or is spent already);
// - budget_rate (Honeycomb's): the bad events of the last `window_minutes` spent more than
//   `decrease_per_million` millionths of the period's budget.
import { alertWindow, windowMinutes, type BurnAlert, type Slo } from '../definition.js';
import { budgetOf, burnRate, endMinuteOf, exhaustionAt, type Summer } from './status.js';

export interface BurnVerdict {
  alert: BurnAlert;
  /** The `window` label. */
  window: string;
  firing: boolean;
  /** What was compared: the long window's burn rate, minutes left, or millionths of budget spent. */
  value: number | null;
  summary: string;
}

export function judgeBurnAlert(slo: Pick<Slo, 'name' | 'target' | 'period_days'>, a: BurnAlert, sum: Summer, nowMs: number): BurnVerdict {
  const end = endMinuteOf(nowMs);
  const period = sum(end - slo.period_days * 1440, end);
  const window = alertWindow(a);
  if (a.kind === 'burn_rate') {
    const long = burnRate(sum(end - windowMinutes(a.long), end), slo.target);
    const short = burnRate(sum(end - windowMinutes(a.short), end), slo.target);
    return {
      alert: a, window, firing: long > a.factor && short > a.factor, value: long,
      summary: `${slo.name} burns its error budget ${long.toFixed(1)}x over ${a.long} and ${short.toFixed(1)}x over ${a.short} (alerting above ${a.factor}x)`,
    };
  }
  if (a.kind === 'exhaustion_time') {
    const at = exhaustionAt(period, sum(end - a.lookback_minutes, end), a.lookback_minutes, slo.target, nowMs);
    const left = at === null ? null : Math.max(0, (at - nowMs) / 60_000);
    return {
      alert: a, window, firing: left !== null && left <= a.minutes, value: left,
      summary: left === null ? `${slo.name}: no budget spent over the last ${a.lookback_minutes} minutes` : `${slo.name} runs out of error budget in ${Math.round(left)} minutes at the rate of the last ${a.lookback_minutes} (alerting within ${a.minutes})`,
    };
  }
  const { budget } = budgetOf(period, slo.target);
  const w = sum(end - a.window_minutes, end);
  const spent = budget > 0 ? ((w.eligible - w.good) / budget) * 1e6 : 0;
  return {
    alert: a, window, firing: spent > a.decrease_per_million, value: spent,
    summary: `${slo.name} spent ${Math.round(spent)} per million of its error budget in ${a.window_minutes} minutes (alerting above ${a.decrease_per_million})`,
  };
}
