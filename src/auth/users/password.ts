// Passwords: scrypt (memory-hard, built into Node) with its parameters in this one place, and a
// strength check by zxcvbn with its common-password dictionary, so "Password1234" is refused
// even though it is long enough.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/** N = 2^15 with r = 8 takes 32 MiB and ~50-100 ms per hash: OWASP's scrypt recommendation. */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16, maxmem: 64 * 1024 * 1024 };
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;
/** zxcvbn's score 0-4; 3 is "safely unguessable: moderate protection from offline attacks". */
const MIN_SCORE = 3;

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash, so they can change later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SCRYPT.saltLength);
  const hash = await scrypt(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT.maxmem });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return crypto.timingSafeEqual(got, expected);
}

/** A hash to verify against when the email is unknown, so both answers take the same time. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  return decoy;
}

const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });

/** zxcvbn's warnings are message keys (the English texts are a separate package); the ones it gives. */
const WARNINGS: Record<string, string> = {
  straightRow: 'it is a straight row of keys',
  keyPattern: 'it is a short keyboard pattern',
  simpleRepeat: 'it repeats characters ("aaa")',
  extendedRepeat: 'it repeats a group of characters ("abcabc")',
  sequences: 'it is a common sequence ("abc", "1234")',
  recentYears: 'it contains a recent year',
  dates: 'it contains a date',
  topTen: 'it is one of the ten most used passwords',
  topHundred: 'it is one of the hundred most used passwords',
  common: 'it is a commonly used password',
  similarToCommon: 'it is too similar to a commonly used password',
  wordByItself: 'it is a single word',
  namesByThemselves: 'it is a name by itself',
  commonNames: 'it is a common name',
  userInputs: 'it contains your email or name',
  pwned: 'it appeared in a data breach',
};

/** Why a password is refused, or undefined when it is good enough. */
export function passwordProblem(password: string, userInputs: string[] = []): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const result = zxcvbn.check(password, userInputs);
  if (result.score >= MIN_SCORE) return undefined;
  const warning = result.feedback.warning ? WARNINGS[result.feedback.warning] ?? result.feedback.warning : 'it is easy to guess';
  return `is too weak: ${warning}; use a longer phrase of unrelated words`;
}

/** A random password that passes the check (for the first owner when none is given). */
export function randomPassword(): string {
  return crypto.randomBytes(18).toString('base64url');
}
