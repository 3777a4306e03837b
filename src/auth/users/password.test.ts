import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, randomPassword, verifyPassword } from './password.js';

describe('passwords', () => {
  it('hashes with scrypt, salted, and verifies only the right password', async () => {
    const a = await hashPassword('purple monkey dishwasher 42');
    const b = await hashPassword('purple monkey dishwasher 42');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('purple');
    expect(await verifyPassword('purple monkey dishwasher 42', a)).toBe(true);
    expect(await verifyPassword('purple monkey dishwasher 43', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('refuses short and common passwords, saying why', () => {
    expect(passwordProblem('short')).toBe('must be at least 12 characters');
    expect(passwordProblem('password1234')).toMatch(/too weak: it is too similar to a commonly used password/);
    expect(passwordProblem('qwertyuiopas')).toMatch(/too weak/);
    expect(passwordProblem('alice@example.com1', ['alice@example.com'])).toMatch(/too weak/);
    expect(passwordProblem('purple monkey dishwasher 42')).toBeUndefined();
    expect(passwordProblem(randomPassword())).toBeUndefined();
  });
});
