// One backup run: the snapshot into DEST, then its manifest (written last: a backup without a
// manifest never happened, and its files are collected by the next prune), then, with `keep`,
// the older backups past that number and the event files no remaining manifest names.
import type { DuckDatabase } from '../store/index.js';
import type { Destination } from './destination.js';
import { BACKUPS_FOLDER, EVENTS_FOLDER, Manifest, MANIFEST_FORMAT, manifestPath, newBackupId, tendVersion, type EventFile } from './manifest.js';
import { takeSnapshot, type Progress } from './snapshot.js';

export interface BackupOptions {
  /** The backup's id (a new one when unset): the API hands it out before the run starts. */
  id?: string;
  /** Keep this many backups (the newest), removing the rest; all when unset. */
  keep?: number;
  onProgress?: (p: Progress) => void;
  /** Runs the snapshot with background checkpoints held off (store Checkpoints.hold). */
  hold?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface BackupResult {
  manifest: Manifest;
  progress: Progress;
  /** Rows in the backup's event files. */
  rows: number;
  removed_backups: string[];
}

export async function runBackup(db: DuckDatabase, dest: Destination, options: BackupOptions = {}): Promise<BackupResult> {
  const id = options.id ?? newBackupId();
  let progress: Progress = { files: 0, files_done: 0, files_written: 0, bytes_written: 0 };
  try {
    const shared = new Map<string, EventFile>();
    const latest = (await backupIds(dest)).at(-1);
    if (latest) {
      for (const f of (await readManifest(dest, latest)).files) if (f.kind === 'events') shared.set(f.path, f);
    }
    const hold = options.hold ?? ((work) => work());
    const snapshot = await hold(() =>
      takeSnapshot(db, dest, id, shared, (p) => {
        progress = p;
        options.onProgress?.(p);
      }),
    );
    const manifest: Manifest = { format: MANIFEST_FORMAT, id, tend_version: tendVersion(), ...snapshot, finished_at: new Date().toISOString() };
    await dest.writeText(manifestPath(id), JSON.stringify(manifest, null, 1) + '\n');
    const removed = options.keep ? await prune(dest, options.keep) : [];
    const rows = manifest.files.reduce((n, f) => n + (f.kind === 'events' ? f.rows : 0), 0);
    return { manifest, progress, rows, removed_backups: removed };
  } finally {
    await dest.close();
  }
}

/** Ids of the backups in DEST that have a manifest, oldest first. */
export async function backupIds(dest: Destination): Promise<string[]> {
  const files = await dest.list(BACKUPS_FOLDER);
  const ids = files.map((f) => /^backups\/([^/]+)\/manifest\.json$/.exec(f.path)?.[1]).filter((id): id is string => id !== undefined);
  return ids.sort();
}

export async function readManifest(dest: Destination, id: string): Promise<Manifest> {
  const text = await dest.readText(manifestPath(id));
  if (text === undefined) throw new Error(`${manifestPath(id)}: not found in ${dest.label}`);
  const parsed = Manifest.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${manifestPath(id)}: not a Tend backup manifest (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})`);
  return parsed.data;
}

/** Removes all but the newest `keep` backups, then every event file none of them names. */
async function prune(dest: Destination, keep: number): Promise<string[]> {
  const ids = await backupIds(dest);
  const gone = ids.slice(0, Math.max(0, ids.length - keep));
  const kept = ids.slice(gone.length);
  const listed = await dest.list(BACKUPS_FOLDER);
  await dest.remove(listed.filter((f) => gone.some((id) => f.path.startsWith(`${BACKUPS_FOLDER}${id}/`))).map((f) => f.path));
  const named = new Set<string>();
  for (const id of kept) for (const f of (await readManifest(dest, id)).files) named.add(f.path);
  await dest.remove((await dest.list(EVENTS_FOLDER)).filter((f) => !named.has(f.path)).map((f) => f.path));
  return gone;
}
