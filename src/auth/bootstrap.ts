// First start: create the `production` environment with one ingest key and one admin key,
// and write them to <data>/keys.json (mode 0600) so the operator can find them.
// TEND_INGEST_KEY and TEND_ADMIN_KEY, when set, are used instead of generated keys.
// "First start" means `production` has never had a key: keys made with `tend keys create
// --env staging` on a fresh folder before the first start must not skip the bootstrap.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Leases, type MetaStore } from '../store/index.js';
import type { AuthService } from './auth-service.js';
import { suppliedKeyProblem } from './keys.js';
import type { People } from './people.js';
import { bootstrapOwner, type OwnerBootstrap } from './users/bootstrap-owner.js';
import { KEYS_FILE } from '../data-files.js';


export interface BootstrapResult {
  /** True on the very first start, when keys were just made. */
  created: boolean;
  keysFile: string;
  /** Only when made now: the banner shows it this once. */
  ingestKey?: string;
}

/**
 * The first start's keys and owner, made once per metadata store: nodes starting together on one
 * PostgreSQL take turns through a lease, so the later ones find the keys made and join.
 */
export async function bootstrapOnce(
  meta: MetaStore, auth: AuthService, people: People, dataDir: string, env: NodeJS.ProcessEnv = process.env,
): Promise<{ keys: BootstrapResult; owner: OwnerBootstrap | undefined }> {
  const leases = await Leases.open(meta, `bootstrap-${crypto.randomUUID()}`);
  return leases.exclusive('auth.bootstrap', 60_000, async () => {
    const keys = await bootstrap(auth, dataDir, env);
    return { keys, owner: await bootstrapOwner(people, keys.keysFile, env) };
  });
}

export async function bootstrap(auth: AuthService, dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<BootstrapResult> {
  const keysFile = path.join(dataDir, KEYS_FILE);
  const production = await auth.environment('production');
  if (production && (await auth.listKeys(production.id)).length > 0) {
    return { created: false, keysFile };
  }
  for (const name of ['TEND_INGEST_KEY', 'TEND_ADMIN_KEY']) {
    const value = env[name] || undefined;
    const problem = value === undefined ? undefined : suppliedKeyProblem(value);
    if (problem) throw new Error(`${name} ${problem}`);
  }
  const ingest = await auth.createKey('production', 'ingest', { name: 'bootstrap ingest key', key: env.TEND_INGEST_KEY || undefined });
  const admin = await auth.createKey('production', 'admin', { name: 'bootstrap admin key', key: env.TEND_ADMIN_KEY || undefined });
  const content = {
    note: 'Created at first start. Keys are stored hashed; this file is the only copy. Keep it private.',
    environment: 'production',
    ingest_key: ingest.key,
    ingest_key_id: ingest.record.id,
    admin_key: admin.key,
    admin_key_id: admin.record.id,
  };
  fs.writeFileSync(keysFile, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(keysFile, 0o600);
  return { created: true, keysFile, ingestKey: ingest.key };
}
