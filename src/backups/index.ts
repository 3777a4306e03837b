// Backups: online point-in-time backups of events and metadata into a folder or S3 (the API,
// `tend backup`, and a schedule in tend.yaml pinging the tend-backup heartbeat), restore into
// a new data folder, and verify by restoring. Everything a backup holds is named by its
// manifest (manifest.ts).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ChecksService } from '../checks/index.js';
import type { DuckDatabase, Environment, StoredEvent } from '../store/index.js';
import { readBackupSettings } from './config.js';
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
}

export interface Backups {
  jobs: BackupJobs;
  /** Present when tend.yaml has a `backups` section. */
  schedule?: BackupSchedule;
  register(app: FastifyInstance): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createBackups(deps: BackupsDeps): Backups {
  const jobs = new BackupJobs({ db: deps.db, hold: deps.hold, env: deps.processEnv, record: (events) => deps.submit(deps.env, BACKUPS_DATASET, events) });
  const settings = readBackupSettings(deps.configFile, deps.configFileNamed);
  const schedule = settings && new BackupSchedule({ settings, jobs, checks: deps.checks, env: deps.env, log: deps.log });
  return {
    jobs,
    schedule,
    register: (app) => registerBackupRoutes(app, jobs),
    start: async () => schedule?.start(),
    async stop() {
      await schedule?.stop();
      await jobs.idle();
    },
  };
}
