// tend.yaml: a service's `capacity:` limits, read at start beside the catalog (which keeps the
// rest of the service). Every problem is reported with its place in the file.
//
//   services:
//     - name: checkout
//       datasets: [checkout]
//       capacity:
//         dataset: checkout            # default: the service's first dataset
//         requests_per_second: 800     # all endpoints together
//         endpoints: { /pay: 200 }     # requests per second, per endpoint
//         resources: { db.pool.in_use: 50 }   # a column's peak against its maximum
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fieldPath } from '../http/index.js';
import { readConfigText } from '../config-file.js';

export class CapacityConfigError extends Error {}

const Positive = z.number().positive();
const Name = z.string().min(1).max(255);

export const CapacityInput = z.strictObject({
  dataset: Name.optional(),
  requests_per_second: Positive.optional(),
  endpoints: z.record(Name, Positive).default({}),
  resources: z.record(Name, Positive).default({}),
}).refine((c) => c.requests_per_second !== undefined || Object.keys(c.endpoints).length + Object.keys(c.resources).length > 0, 'declare requests_per_second, endpoints or resources');
export type Capacity = z.infer<typeof CapacityInput>;

const FileShape = z.object({
  environment: z.string().default('production'),
  services: z.array(z.object({ name: z.string(), capacity: z.unknown().optional() }).passthrough()).default([]),
});

export interface CapacityFile {
  environment: string;
  /** Service name -> its limits (services without `capacity:` are absent). */
  services: Map<string, Capacity>;
}

export function parseCapacityFile(text: string, label = 'tend.yaml'): CapacityFile {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new CapacityConfigError(`${label}: not valid YAML: ${(err as Error).message}`);
  }
  const shape = FileShape.safeParse(doc);
  // The catalog reports a badly shaped services list with its own words.
  if (!shape.success) return { environment: 'production', services: new Map() };
  const services = new Map<string, Capacity>();
  shape.data.services.forEach((s, i) => {
    if (s.capacity === undefined) return;
    const r = CapacityInput.safeParse(s.capacity);
    if (!r.success) {
      const issue = r.error.issues[0];
      const p = fieldPath(issue.path, '');
      throw new CapacityConfigError(`${label}: services[${i}].capacity${p && !p.startsWith('[') ? '.' : ''}${p}: ${issue.message}`);
    }
    services.set(s.name, r.data);
  });
  return { environment: shape.data.environment, services };
}

/** Reads the file; no limits when it does not exist and was not named explicitly. */
export function readCapacityFile(file: string, named: boolean): CapacityFile {
  const text = readConfigText(file, !named);
  if (text === undefined) return { environment: 'production', services: new Map() };
  return parseCapacityFile(text, file);
}
