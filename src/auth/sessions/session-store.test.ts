import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDatabase } from '../../store/index.js';
import { csrfMatches, csrfTokenOf, SessionStore } from './session-store.js';

let db: DuckDatabase;
let dir: string;
let t = 1_000_000_000;
const HOUR = 3_600_000;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-sessions-'));
  db = await DuckDatabase.open(dir);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('sessions', () => {
  it('stores only a hash of the token', async () => {
    const s = await SessionStore.open(db, { idleMs: 12 * HOUR, maxMs: 168 * HOUR }, () => t);
    const { token } = await s.create('u1');
    const rows = await db.query('SELECT * FROM sessions');
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
    expect(await s.verify(token)).toMatchObject({ userId: 'u1' });
    expect(await s.verify(token + 'x')).toBeNull();
  });

  it('ends a session after the idle limit, and use keeps it alive', async () => {
    const s = await SessionStore.open(db, { idleMs: 12 * HOUR, maxMs: 168 * HOUR }, () => t);
    const { token } = await s.create('u2');
    t += 11 * HOUR;
    expect(await s.verify(token)).not.toBeNull();
    t += 11 * HOUR; // 22 h after sign-in, 11 h after last use
    expect(await s.verify(token)).not.toBeNull();
    t += 12 * HOUR;
    expect(await s.verify(token)).toBeNull();
    // Gone for good, not merely refused this once.
    t -= 12 * HOUR;
    expect(await s.verify(token)).toBeNull();
  });

  it('ends a session at the absolute limit however much it is used', async () => {
    const s = await SessionStore.open(db, { idleMs: 12 * HOUR, maxMs: 168 * HOUR }, () => t);
    const { token } = await s.create('u3');
    for (let h = 0; h < 167; h += 10) {
      t += 10 * HOUR;
      if (h + 10 < 168) expect(await s.verify(token)).not.toBeNull();
    }
    t += 8 * HOUR;
    expect(await s.verify(token)).toBeNull();
  });

  it('revokes one session or all of a user', async () => {
    const s = await SessionStore.open(db, { idleMs: 12 * HOUR, maxMs: 168 * HOUR }, () => t);
    const a = await s.create('u4');
    const b = await s.create('u4');
    const other = await s.create('u5');
    await s.revoke(a.token);
    expect(await s.verify(a.token)).toBeNull();
    expect(await s.verify(b.token)).not.toBeNull();
    await s.revokeUser('u4');
    expect(await s.verify(b.token)).toBeNull();
    expect(await s.verify(other.token)).not.toBeNull();
  });

  it('clears out expired sessions that are never used again', async () => {
    const s = await SessionStore.open(db, { idleMs: 12 * HOUR, maxMs: 168 * HOUR }, () => t);
    await s.create('forgotten');
    t += 13 * HOUR;
    await s.create('someone else');
    expect(await db.query('SELECT user_id FROM sessions WHERE user_id = $1', ['forgotten'])).toEqual([]);
  });

  it('derives a CSRF token per session that only that session accepts', () => {
    const a = csrfTokenOf('tks_a');
    expect(a).toMatch(/^[\w-]{43}$/);
    expect(csrfMatches('tks_a', a)).toBe(true);
    expect(csrfMatches('tks_b', a)).toBe(false);
    expect(csrfMatches('tks_a', undefined)).toBe(false);
    expect(csrfMatches('tks_a', a.slice(1))).toBe(false);
  });
});
