// tend.yaml's `datasets:` section: per dataset, the fields deploy reports, customer pages and
// capacity read (fields.ts). Read at start; a problem is reported with its place in the file.
//
//   datasets:
//     checkout: {endpoint_field: endpoint, customer_field: customer_id, build_field: build_id,
//                duration_field: duration_ms, error: 'GTE($status_code, 500)'}
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fieldPath } from '../http/index.js';
import { parseCalculatedField, type Expr } from '../query/index.js';
import type { DeclaredFields } from './fields.js';
import { readConfigText } from '../config-file.js';

export class DatasetFieldsError extends Error {}

const UNKNOWN_COLUMN: Expr = { kind: 'literal', value: null, type: 'null' };

const Column = z.string().min(1).max(255);
const Declared = z.strictObject({
  endpoint_field: Column.optional(),
  customer_field: Column.optional(),
  build_field: Column.optional(),
  duration_field: Column.optional(),
  error: z.string().min(1).max(10_000).optional(),
});

const FileShape = z.object({
  environment: z.string().default('production'),
  datasets: z.record(z.string().min(1).max(255), Declared.nullable()).default({}),
});

export interface DatasetFieldsFile {
  environment: string;
  /** Keyed by the dataset's name in lower case (dataset names are case-insensitive). */
  datasets: Map<string, DeclaredFields>;
}

export function parseDatasetFieldsFile(text: string, label = 'tend.yaml'): DatasetFieldsFile {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new DatasetFieldsError(`${label}: not valid YAML: ${(err as Error).message}`);
  }
  const r = FileShape.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new DatasetFieldsError(`${label}: ${fieldPath(issue.path, '')}: ${issue.message}`);
  }
  const datasets = new Map<string, DeclaredFields>();
  for (const [name, declared] of Object.entries(r.data.datasets)) {
    const key = name.toLowerCase();
    if (datasets.has(key)) throw new DatasetFieldsError(`${label}: datasets.${name}: declared twice (names are case-insensitive)`);
    if (declared?.error !== undefined) {
      // Only the grammar can be checked here: column types are known when a query runs.
      try {
        parseCalculatedField(declared.error, () => UNKNOWN_COLUMN, `datasets.${name}.error`);
      } catch (err) {
        throw new DatasetFieldsError(`${label}: ${(err as Error).message}`);
      }
    }
    datasets.set(key, declared ?? {});
  }
  return { environment: r.data.environment, datasets };
}

/** Reads the file; no declarations when it does not exist and was not named explicitly. */
export function readDatasetFieldsFile(file: string, named: boolean): DatasetFieldsFile {
  const text = readConfigText(file, !named);
  if (text === undefined) return { environment: 'production', datasets: new Map() };
  return parseDatasetFieldsFile(text, file);
}
