import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextRun, readBackupSettings } from './config.js';

function file(text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tend-backup-cfg-')), 'tend.yaml');
  fs.writeFileSync(f, text);
  return f;
}

describe('backups in tend.yaml', () => {
  it('reads the section with its defaults, and nothing without one', () => {
    expect(readBackupSettings(file('backups:\n  schedule: "0 3 * * *"\n  dest: s3://b/tend\n  keep: 14\n'), true)).toEqual({ schedule: '0 3 * * *', dest: 's3://b/tend', keep: 14, grace: '1h' });
    expect(readBackupSettings(file('environment: production\n'), true)).toBeUndefined();
    expect(readBackupSettings('/nonexistent/tend.yaml', false)).toBeUndefined();
  });

  it('names the field of each problem', () => {
    const problem = (yaml: string) => () => readBackupSettings(file(yaml), true);
    expect(problem('backups:\n  schedule: "every night"\n  dest: /b\n')).toThrow(/backups\.schedule: not a valid cron/);
    expect(problem('backups:\n  schedule: "0 3 * * *"\n  dest: backups\n')).toThrow(/backups\.dest: an absolute folder/);
    expect(problem('backups:\n  schedule: "0 3 * * *"\n  dest: /b\n  keep: 0\n')).toThrow(/backups\.keep:/);
    expect(problem('backups:\n  schedule: "0 3 * * *"\n  dest: /b\n  every: 1\n')).toThrow(/backups: .*every/);
  });

  it('finds the next run in UTC', () => {
    expect(nextRun('0 3 * * *', new Date('2026-11-30T03:00:00Z')).toISOString()).toBe('2026-12-01T03:00:00.000Z');
    expect(nextRun('30 */6 * * *', new Date('2026-11-30T07:00:00Z')).toISOString()).toBe('2026-11-30T12:30:00.000Z');
  });
});
