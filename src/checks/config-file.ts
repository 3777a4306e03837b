// tend.yaml: checks and status pages as code. The file is read at start and by
// `tend checks apply`; every problem is reported with its place in the file
// ("checks[1].url: ...") before anything is changed.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { firstIssue, parseCheck, type CheckDefinition } from './definition.js';
import { readConfigText } from '../config-file.js';

export const PAGE_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const StatusPageDefinition = z.strictObject({
  slug: z.string().regex(PAGE_SLUG, 'lower-case letters, digits and "-", at most 63'),
  title: z.string().min(1).max(200),
  checks: z.array(z.string()).max(500).default([]),
});
export type StatusPageDefinition = z.infer<typeof StatusPageDefinition>;

export interface ChecksFile {
  environment: string;
  checks: CheckDefinition[];
  statusPages: StatusPageDefinition[];
}

const FileShape = z.strictObject({
  environment: z.string().min(1).max(100).default('production'),
  checks: z.array(z.unknown()).default([]),
  status_pages: z.array(z.unknown()).default([]),
  // Read by the alerts capability (src/alerts/config.ts), which reports their problems.
  alerting: z.unknown().optional(),
  triggers: z.unknown().optional(),
  // Read by the SLOs capability (src/slos/config.ts), which reports their problems.
  slos: z.unknown().optional(),
  derived_columns: z.unknown().optional(),
  slo_interval: z.unknown().optional(),
  // Read by auth (src/auth/oidc/settings.ts): single sign-on.
  auth: z.unknown().optional(),
  // Read by the ownership capability (src/ownership/config.ts), which reports their problems.
  teams: z.unknown().optional(),
  services: z.unknown().optional(),
  schedules: z.unknown().optional(),
  escalation_policies: z.unknown().optional(),
  handoff: z.unknown().optional(),
  scorecards: z.unknown().optional(),
  paging: z.unknown().optional(),
  incidents: z.unknown().optional(),
  // Read by src/dataset-fields (per-dataset fields) and src/deploys (deploy reports).
  datasets: z.unknown().optional(),
  deploys: z.unknown().optional(),
  // Read by the backups capability (src/backups/config.ts), which reports their problems.
  backups: z.unknown().optional(),
  // Read by src/retention (per-dataset retention), which reports its problems.
  retention: z.unknown().optional(),
});

export class ChecksFileError extends Error {}

/** Parses the text of a tend.yaml; throws ChecksFileError naming the place of the first problem. */
export function parseChecksFile(text: string, label = 'tend.yaml'): ChecksFile {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new ChecksFileError(`${label}: not valid YAML: ${(err as Error).message}`);
  }
  const shape = FileShape.safeParse(doc);
  if (!shape.success) throw new ChecksFileError(`${label}: ${firstIssue(shape.error)}`);
  const checks: CheckDefinition[] = [];
  const names = new Set<string>();
  shape.data.checks.forEach((raw, i) => {
    const r = parseCheck(raw, `checks[${i}]`);
    if (!r.ok) throw new ChecksFileError(`${label}: ${r.problem}`);
    if (names.has(r.check.name)) throw new ChecksFileError(`${label}: checks[${i}].name: "${r.check.name}" is declared twice`);
    names.add(r.check.name);
    checks.push(r.check);
  });
  const statusPages: StatusPageDefinition[] = [];
  const slugs = new Set<string>();
  shape.data.status_pages.forEach((raw, i) => {
    const r = StatusPageDefinition.safeParse(raw);
    if (!r.success) throw new ChecksFileError(`${label}: ${firstIssue(r.error, `status_pages[${i}]`)}`);
    if (slugs.has(r.data.slug)) throw new ChecksFileError(`${label}: status_pages[${i}].slug: "${r.data.slug}" is declared twice`);
    slugs.add(r.data.slug);
    statusPages.push(r.data);
  });
  return { environment: shape.data.environment, checks, statusPages };
}

/** Reads the file, or undefined when it does not exist and `optional` is set. */
export function readChecksFile(file: string, optional: boolean): ChecksFile | undefined {
  const text = readConfigText(file, optional);
  if (text === undefined) return undefined;
  return parseChecksFile(text, file);
}
