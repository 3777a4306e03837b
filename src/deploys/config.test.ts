import { describe, expect, it } from 'vitest';
import { DeploysConfigError, parseDeploysFile, settingsFor } from './config.js';

describe('tend.yaml deploys:', () => {
  it('defaults to a 15 minute window and the documented thresholds', () => {
    const s = parseDeploysFile('');
    expect(s).toMatchObject({ environment: 'production', windowMs: 900_000, alpha: 0.05, thresholds: { error_rate: 0.01, latency: 0.25, throughput: 0.5 } });
    expect(s.githubSecret).toBeUndefined();
  });

  it('overrides the window and thresholds per service, and reads secrets from the environment', () => {
    const s = parseDeploysFile(`
environment: staging
deploys:
  window: 10m
  thresholds: { latency: 0.5 }
  services: { checkout: { window: 30m, thresholds: { error_rate: 0.005 } } }
  github: { secret_env: GH }
  gitlab: { token: plain }
`, 'tend.yaml', { GH: 'from-env' });
    expect(settingsFor(s, 'checkout')).toEqual({ windowMs: 1_800_000, thresholds: { error_rate: 0.005, latency: 0.5, throughput: 0.5 } });
    expect(settingsFor(s, 'other')).toEqual({ windowMs: 600_000, thresholds: { error_rate: 0.01, latency: 0.5, throughput: 0.5 } });
    expect([s.environment, s.githubSecret, s.gitlabToken]).toEqual(['staging', 'from-env', 'plain']);
  });

  it('names the place of a problem', () => {
    expect(() => parseDeploysFile('deploys: { window: 5s }')).toThrow(/deploys\.window: expected a duration between 1m and 24h/);
    expect(() => parseDeploysFile('deploys: { services: { a: { windw: 5m } } }')).toThrow(DeploysConfigError);
    expect(() => parseDeploysFile('deploys: { thresholds: { error_rate: 2 } }')).toThrow(/deploys\.thresholds\.error_rate/);
    expect(() => parseDeploysFile('deploys: { github: { secret_env: NOPE } }', 'tend.yaml', {})).toThrow(/deploys\.github\.secret_env: NOPE is not set/);
  });
});
