import { describe, expect, it } from 'vitest';
import { ConfigReload } from './config-file.js';

describe('ConfigReload', () => {
  it('reads every part before applying any, and applies them in the order they registered', async () => {
    const applied: string[] = [];
    let broken = false;
    const reload = new ConfigReload();
    reload.register({ name: 'alerting', read: () => 'receivers', apply: async (r) => void applied.push(`alerting: ${r}`) });
    reload.register({
      name: 'checks',
      shared: true,
      read: () => {
        if (broken) throw new Error('tend.yaml: checks[0].interval: expected a duration');
        return 2;
      },
      apply: async (n) => void applied.push(`checks: ${n}`),
    });
    expect(await reload.apply()).toEqual(['alerting', 'checks']);
    expect(applied).toEqual(['alerting: receivers', 'checks: 2']);

    // Another node was asked: it wrote the shared rows, this one applies what it keeps in memory.
    expect(await reload.apply('local')).toEqual(['alerting']);
    expect(applied).toEqual(['alerting: receivers', 'checks: 2', 'alerting: receivers']);

    // A part that does not read: the error names it, and no part changed.
    broken = true;
    await expect(reload.apply()).rejects.toThrow('tend.yaml: checks[0].interval: expected a duration');
    expect(applied).toEqual(['alerting: receivers', 'checks: 2', 'alerting: receivers']);
  });
});
