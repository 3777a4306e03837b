// API key format and hashing. A generated key is `tki_` (ingest), `tkr_` (read) or `tka_` (admin) followed
// by a 12-hex id and a 32-character random secret. Only a SHA-256 of the whole key is stored
// and looked up: a key has 190 bits of randomness, so a fast hash is enough (slow password
// hashes exist for guessable secrets) and checking a key on every ingest request stays cheap.
import crypto from 'node:crypto';

export type KeyKind = 'ingest' | 'read' | 'admin';
export const KEY_KINDS: KeyKind[] = ['ingest', 'read', 'admin'];

const PREFIX: Record<KeyKind, string> = { ingest: 'tki_', read: 'tkr_', admin: 'tka_' };
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_LENGTH = 32;
/** Keys supplied by an operator (TEND_ADMIN_KEY, TEND_INGEST_KEY) must look like this. */
const SUPPLIED_KEY = /^[\x21-\x7e]{16,200}$/;

export function generateKey(kind: KeyKind): { key: string; id: string } {
  const id = crypto.randomBytes(6).toString('hex');
  let secret = '';
  for (const b of crypto.randomBytes(SECRET_LENGTH)) secret += SECRET_ALPHABET[b % SECRET_ALPHABET.length];
  return { key: `${PREFIX[kind]}${id}${secret}`, id };
}

/** The id shown for a key: embedded in generated keys, derived from the hash otherwise. */
export function keyId(key: string): string {
  const m = /^tk[iar]_([0-9a-f]{12})/.exec(key);
  return m ? m[1] : hashKey(key).slice(0, 12);
}

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

export function suppliedKeyProblem(key: string): string | undefined {
  return SUPPLIED_KEY.test(key) ? undefined : 'must be 16 to 200 printable ASCII characters without spaces';
}
