// Backups: online point-in-time backups of events and metadata into a folder or S3 (the API,
// `tend backup`, and a schedule in tend.yaml pinging the tend-backup heartbeat), restore into
// a new data folder, and verify by restoring. Everything a backup holds is named by its
// manifest (manifest.ts).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ChecksService } from '../checks/index.js';
import type { DuckDatabase, Environment, StoredEvent } from '../store/index.js';
import type { ConfigReload } from '../config-file.js';
import { readBackupSettings, type BackupSettings } from './config.js';
import { destUnder } from './destination.js';
import { BACKUPS_DATASET, BackupJobs } from './jobs.js';
import { registerBackupRoutes } from './routes.js';
import { BackupSchedule } from './schedule.js';

export { runBackup, backupIds, type BackupResult } from './backup.js';
export { openDestination, isS3, type Destination } from './destination.js';
export { checkBackup, chooseBackup, restoreInto, type BadFile } from './restore.js';
export { verifyBackup, type VerifyReport } from './verify.js';
export { BACKUPS_DATASET, type BackupJob } from './jobs.js';
export { HEARTBEAT as BACKUP_HEARTBEAT } from './schedule.js';
export type { Manifest } from './manifest.js';
export type { Progress } from './snapshot.js';

export interface BackupsDeps {
  db: DuckDatabase;
  hold: <T>(work: () => Promise<T>) => Promise<T>;
  /** The environment whose `tend.backups` dataset and `tend-backup` heartbeat the node's backups use. */
  env: Environment;
  submit: (env: Environment, dataset: string, events: StoredEvent[]) => Promise<void>;
  checks: ChecksService;
  configFile: string;
  configFileNamed: boolean;
  log: FastifyBaseLogger;
  processEnv?: NodeJS.ProcessEnv;
  /**
   * Why this node's backups would not hold the events, when they are elsewhere (ClickHouse):
   * backups copy the data folder's embedded store, so they are refused rather than made empty.
   */
  eventsElsewhere?: string;
  /**
   * This node's name when the metadata is shared by several nodes (--meta): each node's data
   * folder holds only the events it received, so each backs up its own, on the schedule, into
   * a folder of that name under `dest` (nodes sharing one would remove each other's with `keep`).
   */
  node?: string;
  reload?: ConfigReload;
}

export interface Backups {
  jobs: BackupJobs;
  /** Present when tend.yaml has a `backups` section (and the events are in the data folder). */
  readonly schedule?: BackupSchedule;
  register(app: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createBackups(deps: BackupsDeps): Backups {
  const jobs = new BackupJobs({ db: deps.db, hold: deps.hold, env: deps.processEnv, record: (events) => deps.submit(deps.env, BACKUPS_DATASET, events) });
  const read = () => readBackupSettings(deps.configFile, deps.configFileNamed);
  const scheduleOf = (settings: BackupSettings | undefined) => {
    if (!settings) return undefined;
    if (deps.eventsElsewhere) {
      deps.log.warn(`tend.yaml: backups: no scheduled backups: ${deps.eventsElsewhere}`);
      return undefined;
    }
    const dest = deps.node ? destUnder(settings.dest, deps.node) : settings.dest;
    return new BackupSchedule({ settings: { ...settings, dest }, jobs, checks: deps.checks, env: deps.env, log: deps.log });
  };
  let schedule = scheduleOf(read());
  let started = false;
  // Every node applies a reload from its own copy of the file: the schedule's timer is the node's.
  deps.reload?.register({
    name: 'backups', read,
    apply: async (settings) => {
      await schedule?.stop();
      schedule = scheduleOf(settings);
      if (started) await schedule?.start();
    },
  });
  return {
    jobs,
    get schedule() {
      return schedule;
    },
    register: (app) => registerBackupRoutes(app, { jobs, schedule: () => schedule?.settings, refused: deps.eventsElsewhere }),
    async start() {
      started = true;
      await schedule?.start();
    },
    async stop() {
      started = false;
      await schedule?.stop();
      await jobs.idle();
    },
  };
}
