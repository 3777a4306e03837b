// First start: make the first owner, so someone can sign in and manage people. With
// TEND_ADMIN_EMAIL and TEND_ADMIN_PASSWORD set, that account; otherwise owner@localhost with a
// random password, which `tend serve` prints once and which is written to <data>/keys.json
// (mode 0600) beside the bootstrap keys. The owner holds the owner role in every environment
// that exists at that moment. Runs whenever there is no user yet, so older data folders get
// their owner at their first start with this version; users added with `tend users add` before
// the first start do not count unless one of them is an owner.
import fs from 'node:fs';
import path from 'node:path';
import type { People } from '../people.js';
import { passwordProblem, randomPassword } from './password.js';

export const DEFAULT_OWNER_EMAIL = 'owner@localhost';

export interface OwnerBootstrap {
  email: string;
  /** Only when generated now: shown once in the banner. */
  password?: string;
}

export async function bootstrapOwner(people: People, keysFile: string, env: NodeJS.ProcessEnv = process.env): Promise<OwnerBootstrap | undefined> {
  const users = await people.users.list();
  if (users.some((u) => !u.disabled && Object.values(u.roles).includes('owner'))) return undefined;
  const email = env.TEND_ADMIN_EMAIL || DEFAULT_OWNER_EMAIL;
  const supplied = env.TEND_ADMIN_PASSWORD || undefined;
  if (supplied !== undefined) {
    const problem = passwordProblem(supplied, [email]);
    if (problem) throw new Error(`TEND_ADMIN_PASSWORD ${problem}`);
  }
  const password = supplied ?? randomPassword();
  const environments = await people.auth.environments();
  if (environments.length === 0) environments.push(await people.auth.ensureEnvironment('production'));
  const roles = Object.fromEntries(environments.map((e) => [e.slug, 'owner']));
  const owner = await people.create({ email, name: 'Owner', password, roles });
  // Every key is someone's: the bootstrap keys (and any made at the folder before) are the owner's.
  await people.auth.attributeUnownedKeys(owner.id);
  if (supplied === undefined) addToKeysFile(keysFile, { owner_email: owner.email, owner_password: password });
  return { email: owner.email, password: supplied === undefined ? password : undefined };
}

function addToKeysFile(file: string, fields: Record<string, string>): void {
  let content: Record<string, unknown> = {};
  try {
    content = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    content = { note: 'Created at first start. Secrets are stored hashed; this file is the only copy. Keep it private.' };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...content, ...fields }, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
