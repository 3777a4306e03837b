import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, keyId, suppliedKeyProblem } from './keys.js';

describe('api keys', () => {
  it('embeds the kind and id in generated keys', () => {
    const { key, id } = generateKey('ingest');
    expect(key).toMatch(/^tki_[0-9a-f]{12}[A-Za-z0-9]{32}$/);
    expect(keyId(key)).toBe(id);
    expect(generateKey('admin').key.startsWith('tka_')).toBe(true);
  });
  it('hashes to a digest that does not contain the key', () => {
    const { key } = generateKey('admin');
    const h = hashKey(key);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain(key.slice(4));
    expect(hashKey(key)).toBe(h);
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
