// The ownership commands against a running server (the real `tend` command through tsx):
// services list, oncall for a schedule at a time, incidents list/ack/note, each with --json
// printing the API's answer and without it a table or a summary.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, type AlertsTend } from './support/alerts.js';
import { cleanEnv } from './support/cli.js';

let t: AlertsTend;
const YAML = `
teams: [{ name: payments, members: [ana@example.com, bo@example.com] }]
services: [{ name: checkout, owner: payments, tier: 1, schedule: primary }]
schedules:
  - name: primary
    time_zone: America/New_York
    layers: [{ name: daily, members: [ana@example.com, bo@example.com], start: "2026-03-01T08:00", rotation: 1d }]
`;
const tend = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args, '--url', t.url, '--key', t.adminKey], { env: cleanEnv })).stdout;

beforeAll(async () => {
  t = await startAlertsTend(YAML);
}, 30_000);
afterAll(() => t?.close());

describe('tend services, oncall and incidents', () => {
  it('lists services and who is on call', async () => {
    const table = await tend('services', 'list');
    expect(table.split('\n')[0]).toMatch(/^NAME\s+OWNER\s+TIER\s+ON CALL\s+OPEN\s+FAULTS\s+HANDOFF\s+SCORECARD/);
    expect(table).toMatch(/checkout\s+payments\s+1\s/);
    // 8 March 2026: the US spring change. Day 7 after 1 March (7 % 2 = 1: bo) starts at 08:00 EDT = 12:00Z.
    const oncall = JSON.parse(await tend('oncall', 'primary', '--at', '2026-03-08T13:00:00Z', '--json'));
    expect(oncall.on_call).toEqual([{ email: 'bo@example.com', name: null, layer: 'daily', shift_start: '2026-03-08T12:00:00.000Z', shift_end: '2026-03-09T12:00:00.000Z', override: null }]);
    // The shifts around it: 08:00 EST is 13:00Z, 08:00 EDT 12:00Z.
    const shifts = await tend('oncall', 'shifts', 'primary', '--from', '2026-03-07T12:00:00Z', '--to', '2026-03-09T00:00:00Z');
    expect(shifts.trim().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual([
      'daily bo@example.com 2026-03-06T13:00:00.000Z 2026-03-07T13:00:00.000Z',
      'daily ana@example.com 2026-03-07T13:00:00.000Z 2026-03-08T12:00:00.000Z',
      'daily bo@example.com 2026-03-08T12:00:00.000Z 2026-03-09T12:00:00.000Z',
    ]);
  }, 30_000);

  it('acknowledges and notes an incident', async () => {
    const opened = (await api(t, t.adminKey, 'POST', '/api/v1/incidents', { service: 'checkout', severity: 'SEV2', title: 'slow checkout' })).body;
    expect((await tend('incidents', 'list')).split('\n')[1]).toMatch(new RegExp(`^${opened.id}\\s+SEV2\\s+triggered\\s+checkout`));
    const acked = JSON.parse(await tend('incidents', 'ack', opened.id, '--json'));
    expect(acked.state).toBe('acknowledged');
    const shown = await tend('incidents', 'note', opened.id, 'looking', 'at', 'the', 'database');
    expect(shown.split('\n')[0]).toBe(`${opened.id}  SEV2 acknowledged  checkout: slow checkout`);
    expect(shown).toMatch(/note\s+key:\S+\s+looking at the database/);
  }, 30_000);
});
