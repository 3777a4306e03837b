import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, keyId, suppliedKeyProblem } from './keys.js';

describe('api keys', () => {
  it('embeds the kind and id in generated keys', () => {
    const { key, id } = generateKey('ingest');
    expect(key).toMatch(/^tki_[0-9a-f]{12}[A-Za-z0-9]{32}$/);
    expect(keyId(key)).toBe(id);
    expect(generateKey('admin').key.startsWith('tka_')).toBe(true);
  });
  it('hashes with SHA-256 of the whole key, so stored hashes stay valid and hold nothing of the key', () => {
    // A fixed vector: changing the hash would lock out every key already stored.
    const key = 'tka_000000000000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const h = hashKey(key);
    expect(h).toBe('0b18aa45950b5d969bd5e56681a430c692a8fbf3d957e6ab1abe0df722f9521c');
    // The digest shows neither the id (lower-case hex, the only part a hex digest could spell) nor the secret.
    expect(h).not.toContain(keyId(key));
    expect(h).not.toContain(key.slice(16).toLowerCase());
    // Every character counts: one changed anywhere gives another digest.
    for (const i of [0, 4, 15, 47]) expect(hashKey(key.slice(0, i) + 'B' + key.slice(i + 1))).not.toBe(h);
  });
  it('derives a stable id for supplied keys', () => {
    expect(keyId('my-own-long-admin-key-123')).toBe(keyId('my-own-long-admin-key-123'));
    expect(keyId('my-own-long-admin-key-123')).toHaveLength(12);
  });
  it('checks supplied keys', () => {
    expect(suppliedKeyProblem('short')).toMatch(/16 to 200/);
    expect(suppliedKeyProblem('has a space in it ok')).toMatch(/printable/);
    expect(suppliedKeyProblem('a-perfectly-fine-key')).toBeUndefined();
  });
  it('makes different keys every time', () => {
    expect(generateKey('ingest').key).not.toBe(generateKey('ingest').key);
  });
});
