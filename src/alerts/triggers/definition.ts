// A trigger: a query with one calculation (filters, breakdowns, calculated fields and a
// window allowed), a threshold, how many consecutive evaluations must exceed it, a frequency,
// on_change or on_true, what no data means, labels and annotations. The same schema takes
// tend.yaml entries and Honeycomb's Triggers API bodies, so Honeycomb definitions carry over.
import { z } from 'zod';
import { QuerySpecSchema } from '../../query/index.js';

export const THRESHOLD_OPS = ['>', '>=', '<', '<='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

export const TRIGGER_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,119}$/;

export const TriggerInput = z
  .strictObject({
    name: z.string().regex(TRIGGER_NAME, 'letters, digits, spaces, "-", "_", ".", ":", at most 120'),
    dataset: z.string().min(1).optional(),
    description: z.string().max(2000).default(''),
    query: QuerySpecSchema,
    query_id: z.string().optional(),
    threshold: z.strictObject({ op: z.enum(THRESHOLD_OPS), value: z.number(), exceeded_limit: z.int().min(1).max(5).default(1) }),
    frequency: z.int().min(15, 'at least 15 seconds').max(86_400, 'at most one day').default(900),
    alert_type: z.enum(['on_change', 'on_true']).default('on_change'),
    no_data: z.enum(['ok', 'firing', 'keep']).default('ok'),
    disabled: z.boolean().default(false),
    labels: z.record(z.string(), z.string()).default({}),
    annotations: z.record(z.string(), z.string()).default({}),
    // Honeycomb's recipients are replaced by Tend's routing; accepted so definitions carry over.
    recipients: z.array(z.unknown()).optional(),
    evaluation_schedule_type: z.string().optional(),
    triggered: z.boolean().optional(),
    id: z.string().optional(),
  })
  .superRefine((t, ctx) => {
    const calcs = t.query.calculations ?? [];
    if (calcs.length !== 1) ctx.addIssue({ code: 'custom', path: ['query', 'calculations'], message: 'a trigger has exactly one calculation' });
    else if (calcs[0].op === 'HEATMAP') ctx.addIssue({ code: 'custom', path: ['query', 'calculations', 0, 'op'], message: 'HEATMAP has no single value to compare' });
    if (t.query.start_time !== undefined && t.query.start_time !== null) ctx.addIssue({ code: 'custom', path: ['query', 'start_time'], message: 'a trigger looks back from each evaluation: use time_range' });
  });
export type TriggerInput = z.infer<typeof TriggerInput>;

export interface Trigger extends TriggerInput {
  id: string;
  envId: string;
  dataset: string;
  /** file (tend.yaml) or api */
  managedBy: 'file' | 'api';
}

export function exceeds(value: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
  }
}

/** The window a trigger looks back over, seconds (Honeycomb's default: the frequency). */
export const windowOf = (t: TriggerInput): number => t.query.time_range ?? t.frequency;

/** Honeycomb's trigger JSON, plus Tend's fields. */
export function triggerJson(t: Trigger, triggered: boolean) {
  return {
    id: t.id,
    dataset: t.dataset,
    name: t.name,
    description: t.description,
    disabled: t.disabled,
    query: t.query,
    threshold: t.threshold,
    frequency: t.frequency,
    alert_type: t.alert_type,
    no_data: t.no_data,
    labels: t.labels,
    annotations: t.annotations,
    triggered,
    managed_by: t.managedBy,
  };
}
