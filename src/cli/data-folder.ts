// Commands that manage a data folder (keys, users) work on it directly while no server runs
// (DuckDB allows one process), and through the API of the server that holds it otherwise (found
// through the server.json it wrote there), or of the server named by --url / TEND_URL. Changes
// made directly are recorded in tend.audit like the server's, by actor `local` (the person at
// the folder, named by their login).
import os from 'node:os';
import type { Environment } from '../store/index.js';
import { AuditLog } from '../audit/index.js';
import { defaultIngestLimits, loadConfig } from '../config.js';
import { createIngestContext } from '../ingest/index.js';
import { DatasetRegistry, DuckDatabase, DuckEventStore } from '../store/index.js';
import { MetricsRegistry } from '../telemetry/index.js';
import { runningServerUrl } from './client.js';

export interface FolderAudit {
  record(env: Environment, action: string, target: { kind: string; id: string }, change?: { before?: unknown; after?: unknown }): Promise<void>;
  /** Throws when an entry could not be written (the change itself is made). */
  done(): void;
}

/** The audit log of a stopped data folder, written through an ingest pipeline of its own. */
export async function folderAudit(db: DuckDatabase): Promise<FolderAudit> {
  const ingest = createIngestContext(await DuckEventStore.open(db), await DatasetRegistry.open(db), defaultIngestLimits, new MetricsRegistry());
  const failures: unknown[] = [];
  const audit = new AuditLog((env, dataset, events) => ingest.pipeline.submit(env, dataset, events), (err) => failures.push(err));
  const actor = { kind: 'local' as const, id: os.userInfo().username };
  return {
    record: (env, action, target, change = {}) => audit.record({ env, actor, action, target, outcome: 'success', status: 200, ...change }),
    done() {
      if (failures.length) throw new Error(`the change is made but its audit entry was not written: ${String(failures[0])}`);
    },
  };
}

export async function onFolderOrServer(
  opts: { url?: string; data?: string },
  direct: (db: DuckDatabase) => Promise<void>,
  viaApi: (url: string | undefined) => Promise<void>,
): Promise<void> {
  const named = opts.url ?? process.env.TEND_URL;
  if (named) return viaApi(named);
  const dataDir = loadConfig({ data: opts.data }).dataDir;
  let db: DuckDatabase;
  try {
    db = await DuckDatabase.open(dataDir);
  } catch (err) {
    if (!/lock/i.test((err as Error).message)) throw err;
    return viaApi(runningServerUrl(dataDir));
  }
  try {
    await direct(db);
  } finally {
    db.close();
  }
}
