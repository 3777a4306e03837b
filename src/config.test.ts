import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({}, {});
    expect(c.port).toBe(4318);
    expect(c.dataDir.endsWith('tend-data')).toBe(true);
    expect(c.memoryLimit).toMatch(/^\d+GB$/);
  });
  it('takes flags over environment variables', () => {
    expect(loadConfig({ port: '5000' }, { TEND_PORT: '6000' }).port).toBe(5000);
    expect(loadConfig({}, { TEND_PORT: '6000' }).port).toBe(6000);
    expect(loadConfig({}, { TEND_MEMORY_LIMIT: '512MB' }).memoryLimit).toBe('512MB');
  });
  it('names the setting that is wrong', () => {
    expect(() => loadConfig({ port: 'x' }, {})).toThrow(/--port must be a non-negative whole number/);
    expect(() => loadConfig({}, { TEND_MEMORY_LIMIT: 'lots' })).toThrow(/--memory-limit must be a size/);
    expect(() => loadConfig({}, { TEND_LOG_LEVEL: 'loud' })).toThrow(/--log-level must be one of trace, debug, info, warn, error, fatal, silent, got "loud"/);
    expect(loadConfig({ logLevel: 'INFO' }, {}).logLevel).toBe('info');
  });
});
