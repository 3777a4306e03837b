import { describe, expect, it } from 'vitest';
import { parseRetention } from './config.js';

describe('tend.yaml retention', () => {
  it('reads the default and the datasets in days, weeks and years', () => {
    const text = 'retention:\n  default: 60d\n  datasets: {"tend.audit": 400d, "web-*": 2w, archive: 1y, raw: 3, keep: 0}\n';
    expect(parseRetention(text, 'tend.yaml', undefined)).toEqual({ defaultDays: 60, datasets: { 'tend.audit': 400, 'web-*': 14, archive: 365, raw: 3, keep: 0 } });
  });

  it('lets --retention-days set the default over the file, and defaults to 60 days', () => {
    expect(parseRetention('retention: {default: 30d}', 'tend.yaml', 7).defaultDays).toBe(7);
    expect(parseRetention('checks: []', 'tend.yaml', undefined)).toEqual({ defaultDays: 60, datasets: {} });
  });

  it('names the place of a bad value', () => {
    expect(() => parseRetention('retention: {datasets: {"web-*": 2 months}}', 'tend.yaml', undefined)).toThrow(
      /^tend\.yaml: retention\.datasets\.web-\*: a number of days such as 14d, 8w or 1y .*got "2 months"$/,
    );
    expect(() => parseRetention('retention: {default: -1}', 'x.yaml', undefined)).toThrow(/^x\.yaml: retention\.default: a number of days/);
    expect(() => parseRetention('retention: {keep: 3d}', 'tend.yaml', undefined)).toThrow(/^tend\.yaml: retention: Unrecognized key: "keep"/);
  });
});
