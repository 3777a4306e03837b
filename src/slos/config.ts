// tend.yaml's `slos:` and `derived_columns:` (and `slo_interval`): read at start, every
// problem reported with its place in the file before anything is applied.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../alerts/index.js';
import { fieldPath } from '../http/index.js';
import { expandBurnAlerts, SloDefinitionError, SloInput, type Slo } from './definition.js';
import { DerivedColumnInput } from './derived-columns.js';
import { readConfigText } from '../config-file.js';

export type SloDefinition = Omit<Slo, 'id' | 'envId' | 'managedBy' | 'createdAt' | 'updatedAt'>;

const FileShape = z.object({
  environment: z.string().default('production'),
  slo_interval: z.union([z.string(), z.number()]).optional(),
  slos: z.array(z.unknown()).default([]),
  derived_columns: z.array(z.unknown()).default([]),
});

const FileDerivedColumn = DerivedColumnInput.extend({ dataset: z.string().min(1).max(255) });

export interface SlosFile {
  environment: string;
  intervalMs?: number;
  slos: SloDefinition[];
  derivedColumns: z.infer<typeof FileDerivedColumn>[];
}

/** Shortest evaluation interval (issue 12: down to 10 s). */
export const MIN_INTERVAL_MS = 10_000;

/** `60s`, `1m`, or seconds; undefined when it is not a duration of at least 10 s. */
export function parseInterval(v: string | number): number | undefined {
  const ms = parseDuration(v);
  return ms !== undefined && ms >= MIN_INTERVAL_MS ? ms : undefined;
}

function check<S extends z.ZodType>(schema: S, value: unknown, where: string, label: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = fieldPath(issue.path, '');
    throw new SloDefinitionError(`${label}: ${where}${path && !path.startsWith('[') ? '.' : ''}${path}: ${issue.message}`);
  }
  return r.data;
}

/** An SLO as declared (tend.yaml or Tend's API) -> its definition; throws SloDefinitionError naming the field. */
export function sloDefinition(raw: unknown, where: string, label: string): SloDefinition {
  const s = check(SloInput, raw, where, label);
  let burnAlerts;
  try {
    burnAlerts = expandBurnAlerts(s.burn_alerts, `${where}.burn_alerts`);
  } catch (err) {
    throw new SloDefinitionError(`${label}: ${(err as Error).message}`);
  }
  return {
    name: s.name, datasets: s.datasets ?? [s.dataset!], sli: s.sli, target: s.target, period_days: s.period_days,
    description: s.description, labels: s.labels, burn_alerts: burnAlerts,
  };
}

export function parseSlosFile(text: string, label = 'tend.yaml'): SlosFile {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new SloDefinitionError(`${label}: not valid YAML: ${(err as Error).message}`);
  }
  const shape = check(FileShape, doc, 'tend.yaml', label);
  let intervalMs: number | undefined;
  if (shape.slo_interval !== undefined) {
    intervalMs = parseInterval(shape.slo_interval);
    if (intervalMs === undefined) throw new SloDefinitionError(`${label}: slo_interval: a duration of at least 10s, such as 60s or 1m`);
  }
  const slos = shape.slos.map((raw, i) => sloDefinition(raw, `slos[${i}]`, label));
  const names = new Set<string>();
  slos.forEach((s, i) => {
    if (names.has(s.name)) throw new SloDefinitionError(`${label}: slos[${i}].name: "${s.name}" is declared twice`);
    names.add(s.name);
  });
  const derivedColumns = shape.derived_columns.map((raw, i) => check(FileDerivedColumn, raw, `derived_columns[${i}]`, label));
  return { environment: shape.environment, intervalMs, slos, derivedColumns };
}

/** Reads the file; undefined when it does not exist and `optional`. */
export function readSlosFile(file: string, optional: boolean): SlosFile | undefined {
  const text = readConfigText(file, optional);
  if (text === undefined) return undefined;
  return parseSlosFile(text, file);
}
