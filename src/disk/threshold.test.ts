import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { minFreeBytes } from './threshold.js';

const GB = 1024 ** 3;
const MB = 1024 ** 2;

describe('--min-free-disk', () => {
  it('defaults to the smaller of 5% of the disk and 2 GB', () => {
    const spec = loadConfig({}, {}).minFreeDisk;
    expect(minFreeBytes(spec, 64 * MB)).toBe(Math.round(64 * MB * 0.05));
    expect(minFreeBytes(spec, 20 * GB)).toBe(1 * GB);
    expect(minFreeBytes(spec, 40 * GB)).toBe(2 * GB);
    expect(minFreeBytes(spec, 4000 * GB)).toBe(2 * GB);
  });

  it('takes bytes or a percentage, from the flag over the environment', () => {
    expect(minFreeBytes(loadConfig({ minFreeDisk: '500MB' }, { TEND_MIN_FREE_DISK: '10%' }).minFreeDisk, 4000 * GB)).toBe(500 * MB);
    expect(minFreeBytes(loadConfig({}, { TEND_MIN_FREE_DISK: '10%' }).minFreeDisk, 4000 * GB)).toBe(400 * GB);
    expect(minFreeBytes(loadConfig({ minFreeDisk: '2.5 %' }, {}).minFreeDisk, 1000 * MB)).toBe(25 * MB);
    expect(minFreeBytes(loadConfig({ minFreeDisk: '0' }, {}).minFreeDisk, 1000 * MB)).toBe(0);
    expect(minFreeBytes(loadConfig({ minFreeDisk: 4096 }, {}).minFreeDisk, 1000 * MB)).toBe(4096);
  });

  it('names the setting and the forms it takes', () => {
    for (const bad of ['lots', '101%', '-5%', '5 percent']) {
      expect(() => loadConfig({ minFreeDisk: bad }, {})).toThrow(`--min-free-disk must be a size such as 2GB or 500MB, or a percentage of the disk such as 5%, got "${bad}"`);
    }
    expect(() => loadConfig({}, { TEND_MIN_FREE_DISK: 'x' })).toThrow(/^TEND_MIN_FREE_DISK must be a size/);
  });
});
