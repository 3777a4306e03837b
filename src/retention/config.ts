// tend.yaml's `retention` section:
//   retention:
//     default: 60d
//     datasets: {"tend.audit": 400d, "web-*": 14d}
// Days are written as "14d", "8w", "1y" (365 days) or a whole number of days; 0 keeps everything.
// --retention-days (or TEND_RETENTION_DAYS), when given, sets the default instead of the file.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { RetentionRules } from './policy.js';
import { readConfigText } from '../config-file.js';

export class RetentionConfigError extends Error {}

/** Built in: two months, as before there was a file. */
const DEFAULT_RETENTION_DAYS = 60;

const DAYS_PER: Record<string, number> = { d: 1, w: 7, y: 365 };
const MAX_DAYS = 36_500;

const Days = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const m = typeof v === 'number' ? [String(v), String(v), 'd'] : /^(\d+)\s*([dwy])?$/.exec(v.trim());
  const days = m && Number.isInteger(Number(m[1])) ? Number(m[1]) * DAYS_PER[m[2] ?? 'd'] : NaN;
  if (!(days >= 0 && days <= MAX_DAYS)) {
    ctx.addIssue({ code: 'custom', message: `a number of days such as 14d, 8w or 1y (0 keeps everything, at most ${MAX_DAYS} days), got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return days;
});

const Section = z.strictObject({
  default: Days.optional(),
  datasets: z.record(z.string().min(1).max(255), Days).default({}),
});

const FileShape = z.looseObject({ retention: Section.optional() });

/** The rules in the file's text; `defaultDays` from the flag wins over the file's default. */
export function parseRetention(text: string, label: string, flagDays: number | undefined): RetentionRules {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new RetentionConfigError(`${label}: not valid YAML: ${(err as Error).message}`);
  }
  const parsed = FileShape.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RetentionConfigError(`${label}: ${issue.path.map(String).join('.')}: ${issue.message}`);
  }
  const section = parsed.data.retention;
  return { defaultDays: flagDays ?? section?.default ?? DEFAULT_RETENTION_DAYS, datasets: section?.datasets ?? {} };
}

/** Reads tend.yaml; no file (when it was not named) means the default for every dataset. */
export function readRetention(file: string, optional: boolean, flagDays: number | undefined): RetentionRules {
  const text = readConfigText(file, optional);
  if (text === undefined) return { defaultDays: flagDays ?? DEFAULT_RETENTION_DAYS, datasets: {} };
  return parseRetention(text, file, flagDays);
}
