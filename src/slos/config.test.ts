import { describe, expect, it } from 'vitest';
import { parseSlosFile } from './config.js';
import { SRE_PRESET } from './definition.js';

const slo = (extra: string) => `
slos:
  - name: api
    dataset: api
    sli: 'LT($status, 500)'
    target: 99.9
${extra}`;

describe('tend.yaml slos', () => {
  it('expands the SRE preset and keeps each kind of burn alert', () => {
    const f = parseSlosFile(slo(`    burn_alerts:
      - { kind: burn_rate, preset: sre }
      - { kind: exhaustion_time, minutes: 240 }
      - { kind: budget_rate, window_minutes: 60, decrease_per_million: 5000 }`));
    expect(f.slos[0].datasets).toEqual(['api']);
    expect(f.slos[0].period_days).toBe(30);
    expect(f.slos[0].burn_alerts).toEqual([
      ...SRE_PRESET,
      { kind: 'exhaustion_time', minutes: 240, lookback_minutes: 60, severity: 'page' },
      { kind: 'budget_rate', window_minutes: 60, decrease_per_million: 5000, severity: 'page' },
    ]);
  });

  it('names the field at fault', () => {
    expect(() => parseSlosFile(slo('').replace('99.9', '100'))).toThrow(/slos\[0\]\.target: /);
    expect(() => parseSlosFile(slo('    period_days: 91'))).toThrow(/slos\[0\]\.period_days: /);
    expect(() => parseSlosFile(slo('    burn_alerts: [{ kind: burn_rate, long: 90s, short: 5m, factor: 2 }]'))).toThrow(/slos\[0\]\.burn_alerts\[0\]/);
    expect(() => parseSlosFile(slo('    burn_alerts: [{ kind: burn_rate, preset: sre }, { kind: burn_rate, long: 1h, short: 1m, factor: 2 }]'))).toThrow(/two burn_rate alerts over 1h/);
    expect(() => parseSlosFile(`slos: [{ name: a, sli: 'true', target: 99 }]`)).toThrow(/slos\[0\]\.dataset: give dataset or datasets/);
    expect(() => parseSlosFile(`slo_interval: 5s`)).toThrow(/slo_interval: /);
    expect(parseSlosFile(`slo_interval: 10s`).intervalMs).toBe(10_000);
  });
});
