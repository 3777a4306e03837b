// Scheduled backups, from `backups` in tend.yaml:
//
//   backups:
//     schedule: "0 3 * * *"        # cron, UTC
//     dest: /mnt/backup/tend       # or s3://bucket/prefix (AWS_* environment variables)
//     keep: 14                     # backups kept at dest; older ones and files only they named are removed
//     grace: 2h                    # how late a run may be before the tend-backup heartbeat alerts (default 1h)
//
// Problems are reported with their place in the file, like the rest of tend.yaml.
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CronExpressionParser } from 'cron-parser';
import { isS3 } from './destination.js';
import { readConfigText } from '../config-file.js';

const BackupsShape = z.strictObject({
  schedule: z.string().refine((s) => cronOk(s), 'not a valid cron expression (minute hour day month weekday)'),
  dest: z.string().min(1).refine((d) => isS3(d) || path.isAbsolute(d), 'an absolute folder, or s3://bucket/prefix'),
  keep: z.number().int().min(1).max(10_000).optional(),
  grace: z.string().regex(/^\d+[smhd]$/, 'a duration such as 30m, 2h or 1d').default('1h'),
});
export type BackupSettings = z.infer<typeof BackupsShape>;

function cronOk(expr: string): boolean {
  try {
    CronExpressionParser.parse(expr, { tz: 'UTC' });
    return expr.trim().split(/\s+/).length === 5;
  } catch {
    return false;
  }
}

/** The `backups` section of tend.yaml, or undefined when there is none (or no file). */
export function readBackupSettings(file: string, named: boolean): BackupSettings | undefined {
  const text = readConfigText(file, !named);
  if (text === undefined) return undefined;
  const raw = ((parseYaml(text) ?? {}) as { backups?: unknown }).backups;
  if (raw === undefined || raw === null) return undefined;
  const parsed = BackupsShape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: backups${issue.path.length ? '.' + issue.path.join('.') : ''}: ${issue.message}`);
  }
  return parsed.data;
}

/** The next time the schedule fires after `from` (UTC). */
export function nextRun(schedule: string, from: Date): Date {
  return CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: from }).next().toDate();
}
