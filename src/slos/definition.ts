// What an SLO is: a name, one or more datasets, a service level indicator in the derived-column
// language (true good, false bad, null not counted) or the alias of a derived column, a target
// percentage, a rolling period in days, a description, labels, and burn alerts. One zod schema
// for tend.yaml and Tend's API; Honeycomb's SLO JSON converts to and from it (honeycomb.ts).
import { z } from 'zod';
import { parseDuration } from '../alerts/index.js';

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `5m`, `1h`, `3d`: a window of whole minutes. */
const Window = z.string().refine((v) => {
  const ms = parseDuration(v);
  return ms !== undefined && ms >= 60_000 && ms % 60_000 === 0 && ms <= 90 * 86_400_000;
}, 'a duration of whole minutes such as 5m, 1h or 3d, from 1m to 90d');

const Severity = z.string().min(1).max(64);

const BurnRate = z.strictObject({
  kind: z.literal('burn_rate'),
  long: Window,
  short: Window,
  factor: z.number().positive(),
  severity: Severity.default('page'),
});

const BurnRatePreset = z.strictObject({
  kind: z.literal('burn_rate'),
  preset: z.literal('sre'),
});

const ExhaustionTime = z.strictObject({
  kind: z.literal('exhaustion_time'),
  minutes: z.number().int().min(1).max(90 * 1440),
  lookback_minutes: z.number().int().min(1).max(90 * 1440).default(60),
  severity: Severity.default('page'),
});

const BudgetRate = z.strictObject({
  kind: z.literal('budget_rate'),
  window_minutes: z.number().int().min(1).max(90 * 1440),
  decrease_per_million: z.number().int().min(1).max(1_000_000),
  severity: Severity.default('page'),
});

export const BurnAlertInput = z.union([BurnRatePreset, BurnRate, ExhaustionTime, BudgetRate]);
export type BurnAlertInput = z.infer<typeof BurnAlertInput>;
export type BurnAlert = z.infer<typeof BurnRate> | z.infer<typeof ExhaustionTime> | z.infer<typeof BudgetRate>;

/** The SRE workbook's three multi-window rules (table 5-8 of "Alerting on SLOs"). */
export const SRE_PRESET: BurnAlert[] = [
  { kind: 'burn_rate', long: '1h', short: '5m', factor: 14.4, severity: 'page' },
  { kind: 'burn_rate', long: '6h', short: '30m', factor: 6, severity: 'page' },
  { kind: 'burn_rate', long: '3d', short: '6h', factor: 1, severity: 'ticket' },
];

export const SloInput = z
  .strictObject({
    name: z.string().min(1).max(120).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit'),
    dataset: z.string().min(1).max(255).optional(),
    datasets: z.array(z.string().min(1).max(255)).min(1).max(10).optional(),
    /** An expression, or `{alias}` naming a derived column of the dataset. */
    sli: z.union([z.string().min(1).max(10_000), z.strictObject({ alias: z.string().min(1).max(255) })]),
    target: z.number().gt(0).lt(100),
    period_days: z.number().int().min(1).max(90).default(30),
    description: z.string().max(1023).default(''),
    labels: z.record(z.string().regex(LABEL, 'label names are letters, digits and "_"'), z.string().max(1024)).default({}),
    burn_alerts: z.array(BurnAlertInput).max(20).default([]),
  })
  .superRefine((s, ctx) => {
    if (!s.dataset && !s.datasets) ctx.addIssue({ code: 'custom', path: ['dataset'], message: 'give dataset or datasets' });
    if (s.dataset && s.datasets) ctx.addIssue({ code: 'custom', path: ['datasets'], message: 'give dataset or datasets, not both' });
  });
export type SloInput = z.infer<typeof SloInput>;

/** A kept SLO: the input with its datasets listed and presets expanded. */
export interface Slo {
  id: string;
  envId: string;
  name: string;
  datasets: string[];
  sli: string | { alias: string };
  target: number;
  period_days: number;
  description: string;
  labels: Record<string, string>;
  burn_alerts: BurnAlert[];
  managedBy: 'file' | 'api';
  createdAt: number;
  updatedAt: number;
}

/** Minutes of a window written as `5m`, `1h`, `3d`. */
export const windowMinutes = (w: string): number => parseDuration(w)! / 60_000;

/** The window a burn alert is known by (its `window` label): the long window, or the lookback. */
export function alertWindow(a: BurnAlert): string {
  if (a.kind === 'burn_rate') return a.long;
  return `${a.kind === 'exhaustion_time' ? a.lookback_minutes : a.window_minutes}m`;
}

/** Presets expanded; a second alert of the same kind and window is refused (they would share one identity). */
export function expandBurnAlerts(inputs: BurnAlertInput[], field: string): BurnAlert[] {
  const out = inputs.flatMap((a) => ('preset' in a ? SRE_PRESET : [a]));
  const seen = new Set<string>();
  for (const a of out) {
    const key = `${a.kind}/${windowMinutes(alertWindow(a))}`;
    if (seen.has(key)) throw new SloDefinitionError(`${field}: two ${a.kind} alerts over ${alertWindow(a)}: each kind and window may appear once`);
    seen.add(key);
  }
  return out;
}

export class SloDefinitionError extends Error {}

/** Minutes of rollups an SLO needs: its period, and the longest window its alerts and burn rates read. */
export function spanMinutes(slo: Pick<Slo, 'period_days' | 'burn_alerts'>): number {
  const windows = slo.burn_alerts.map((a) => (a.kind === 'burn_rate' ? windowMinutes(a.long) : a.kind === 'exhaustion_time' ? a.lookback_minutes : a.window_minutes));
  return Math.max(slo.period_days * 1440, 3 * 1440, ...windows);
}
