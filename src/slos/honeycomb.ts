// Honeycomb's SLO JSON (`/1/slos/:dataset`): `sli: {alias}` naming a derived column,
// `time_period_days`, `target_per_million`, `dataset_slugs`, and with `?detailed` its
// `compliance` and `budget_remaining` as percentages. Tend's own fields (`labels`,
// `burn_alerts`) may be given beside them.
import { z } from 'zod';
import type { SloStatus } from './burn/status.js';
import { BurnAlertInput, type Slo } from './definition.js';

export const HoneycombSloInput = z.object({
  name: z.string().min(1).max(120),
  description: z.string().max(1023).default(''),
  sli: z.object({ alias: z.string().min(1).max(255) }),
  time_period_days: z.number().int().min(1).max(90),
  target_per_million: z.number().int().min(1).max(999_999),
  dataset_slugs: z.array(z.string().min(1).max(255)).min(1).max(10).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  burn_alerts: z.array(BurnAlertInput).max(20).optional(),
});
export type HoneycombSloInput = z.infer<typeof HoneycombSloInput>;

/** Honeycomb's input as Tend's SLO input (the path's dataset unless dataset_slugs names several). */
export function fromHoneycomb(h: HoneycombSloInput, dataset: string) {
  return {
    name: h.name,
    datasets: h.dataset_slugs ?? [dataset],
    sli: { alias: h.sli.alias },
    target: h.target_per_million / 10_000,
    period_days: h.time_period_days,
    description: h.description,
    labels: h.labels ?? {},
    burn_alerts: h.burn_alerts ?? [],
  };
}

const pct = (v: number) => Math.round(v * 1e6) / 1e4;

export function honeycombJson(s: Slo, status: SloStatus | undefined, detailed: boolean) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    // An SLO written in tend.yaml with its expression inline has no alias to name.
    sli: typeof s.sli === 'string' ? { alias: null, expression: s.sli } : { alias: s.sli.alias },
    time_period_days: s.period_days,
    target_per_million: Math.round(s.target * 10_000),
    dataset_slugs: s.datasets,
    labels: s.labels,
    burn_alerts: s.burn_alerts,
    created_at: new Date(s.createdAt).toISOString(),
    updated_at: new Date(s.updatedAt).toISOString(),
    ...(detailed ? { compliance: status ? pct(status.compliance) : null, budget_remaining: status ? pct(status.budget_remaining) : null } : {}),
  };
}
