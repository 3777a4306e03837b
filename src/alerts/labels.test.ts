import { describe, expect, it } from 'vitest';
import { cleanLabels, fingerprint, labelName } from './labels.js';

describe('labels', () => {
  it('makes names valid for Prometheus', () => {
    expect(labelName('http.endpoint')).toBe('http_endpoint');
    expect(labelName('9lives')).toBe('_9lives');
    expect(labelName('a-b c')).toBe('a_b_c');
    expect(cleanLabels({ 'team.name': 'core', empty: '', n: 3 })).toEqual({ team_name: 'core', n: '3' });
  });

  it('fingerprints the sorted pairs: order does not matter, names and values do', () => {
    const a = fingerprint({ a: '1', b: '2' });
    expect(fingerprint({ b: '2', a: '1' })).toBe(a);
    expect(fingerprint({ a: '1', b: '3' })).not.toBe(a);
    // The separators keep "a=1b" and "a1=b" apart.
    expect(fingerprint({ a: '1b' })).not.toBe(fingerprint({ a1: 'b' }));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps the fingerprints already stored: the same value as the first version computed', () => {
    expect(fingerprint({ severity: 'warning', alertname: 'Bench3', instance: 'r0-host-12-34' })).toBe('bfe1efdcc3350f32');
  });
});
