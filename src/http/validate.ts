// One way to check a request object against its zod schema: a 400 that names the first field at
// fault, e.g. `calculations[1].column: P99 needs a column`.
import type { z } from 'zod';
import { badRequest } from './errors.js';

/** `calculations[1].column` for the path ['calculations', 1, 'column']; `root` for the whole value. */
export function fieldPath(path: readonly PropertyKey[], root: string): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || root;
}

/** `value` checked against `schema`, which describes a JSON object; `root` names the whole value. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, root: string): z.infer<S> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${root}: expected a JSON object`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`${fieldPath(issue.path, root)}: ${issue.message}`);
  }
  return parsed.data;
}
