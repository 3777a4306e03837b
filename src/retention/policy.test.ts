import { describe, expect, it } from 'vitest';
import { RetentionPolicy } from './policy.js';

describe('RetentionPolicy', () => {
  const policy = new RetentionPolicy({
    defaultDays: 60,
    datasets: { 'tend.audit': 400, 'web-*': 14, 'web-checkout*': 30, 'web-checkout': 90, 'Api.v?': 7, 'tend.*': 120 },
  });

  it('gives an exact name over every pattern, a longer pattern over a shorter, else the default', () => {
    expect(policy.of('tend.audit')).toEqual({ days: 400, rule: 'tend.audit' });
    expect(policy.of('tend.checks')).toEqual({ days: 120, rule: 'tend.*' });
    expect(policy.of('web-checkout')).toEqual({ days: 90, rule: 'web-checkout' });
    expect(policy.of('web-checkout-eu')).toEqual({ days: 30, rule: 'web-checkout*' });
    expect(policy.of('web-home')).toEqual({ days: 14, rule: 'web-*' });
    expect(policy.of('api')).toEqual({ days: 60, rule: 'default' });
  });

  it('compares names case-insensitively and reads pattern characters literally but * and ?', () => {
    expect(policy.of('WEB-Home').days).toBe(14);
    expect(policy.of('api.v2').days).toBe(7);
    expect(policy.of('apixv2').days).toBe(60);
    expect(policy.of('api.v22').days).toBe(60);
  });
});
