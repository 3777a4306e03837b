// manifest.json: everything one backup needs, by path relative to DEST. Event files of days
// that did not change since an earlier backup are the earlier backup's files, named again
// here: a file's name carries its day's fingerprint, so it is written once and never changed.
//
// DEST/
//   backups/<id>/manifest.json
//   backups/<id>/meta/<table>.parquet          metadata, one file per table, every backup
//   events/<dataset id>/<yyyy-mm-dd>/<rows>-<fingerprint>.parquet
import fs from 'node:fs';
import { z } from 'zod';

export const MANIFEST_FORMAT = 1;
export const BACKUPS_FOLDER = 'backups/';
export const EVENTS_FOLDER = 'events/';

const FileBase = { path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/), rows: z.number().int().nonnegative() };

export const EventFile = z.object({
  ...FileBase,
  kind: z.literal('events'),
  environment: z.string(),
  dataset: z.string(),
  dataset_id: z.string(),
  /** yyyy-mm-dd, UTC. */
  day: z.string(),
  /** The table the day is restored into. */
  table: z.string(),
  /** Decides whether a later backup may share this file (snapshot.ts). */
  fingerprint: z.string(),
});
export type EventFile = z.infer<typeof EventFile>;

export const MetaFile = z.object({
  ...FileBase,
  kind: z.literal('metadata'),
  table: z.string(),
  /** CREATE TABLE with its keys and constraints, as DuckDB reports it. */
  ddl: z.string(),
});
export type MetaFile = z.infer<typeof MetaFile>;

export const ManifestFile = z.discriminatedUnion('kind', [EventFile, MetaFile]);
export type ManifestFile = z.infer<typeof ManifestFile>;

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  id: z.string(),
  tend_version: z.string(),
  /** The moment of the snapshot: every event acknowledged before it is in the backup. */
  snapshot_at: z.string(),
  finished_at: z.string(),
  /** CREATE INDEX statements, run once the tables are filled. */
  indexes: z.array(z.string()),
  datasets: z.array(z.object({ id: z.string(), environment: z.string(), name: z.string(), columns: z.array(z.object({ name: z.string(), type: z.string() })) })),
  files: z.array(ManifestFile),
});
export type Manifest = z.infer<typeof Manifest>;

export const manifestPath = (id: string) => `${BACKUPS_FOLDER}${id}/manifest.json`;

let lastMs = 0;
/**
 * A backup id sorts by time, to the millisecond (20261130T031500.123Z-3fa2): the newest backup
 * is the greatest id. Two ids made by this process never share a millisecond.
 */
export function newBackupId(now = Date.now()): string {
  lastMs = Math.max(now, lastMs + 1);
  const stamp = new Date(lastMs).toISOString().replace(/[-:]/g, '');
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

let version: string | undefined;
/** The version in Tend's package.json (two folders up from here, in src/ and in dist/ alike). */
export function tendVersion(): string {
  version ??= String(JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  return version;
}
