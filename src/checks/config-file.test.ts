import { describe, expect, it } from 'vitest';
import { parseChecksFile } from './config-file.js';

const example = `
checks:
  - name: api-health
    kind: http
    url: http://127.0.0.1:8080/health
    interval: 30s
    timeout: 5s
    expect: { status: [200], max_latency_ms: 500, body_contains: ok }
    failures_before_down: 2
    successes_before_up: 1
  - name: nightly-backup
    kind: heartbeat
    uuid: 5f0c6a1e-8d7b-4c2a-9a57-0b6f0f3e2d11
    period: 1d
    grace: 1h
  - name: weekly-report
    kind: heartbeat
    cron: "0 3 * * 1"
    tz: Europe/London
status_pages:
  - slug: public
    title: Example status
    checks: [api-health, nightly-backup]
`;

describe('tend.yaml', () => {
  it('reads the documented example with defaults filled in', () => {
    const f = parseChecksFile(example);
    expect(f.environment).toBe('production');
    expect(f.checks.map((c) => c.name)).toEqual(['api-health', 'nightly-backup', 'weekly-report']);
    expect(f.checks[0]).toMatchObject({ kind: 'http', method: 'GET', interval: '30s', failures_before_down: 2, expect: { status: [200], body_contains: 'ok' } });
    expect(f.checks[2]).toMatchObject({ kind: 'heartbeat', cron: '0 3 * * 1', tz: 'Europe/London', grace: '1h' });
    expect(f.statusPages).toEqual([{ slug: 'public', title: 'Example status', checks: ['api-health', 'nightly-backup'] }]);
  });

  it('names the place of each problem', () => {
    const bad = (text: string) => () => parseChecksFile(text);
    expect(bad('checks:\n  - name: a\n    kind: http\n    url: ftp://x\n')).toThrow(/^tend.yaml: checks\[0\]\.url: /);
    expect(bad('checks:\n  - name: a\n    kind: smtp\n')).toThrow(/checks\[0\]\.kind: expected one of http, tcp, tls, dns, heartbeat/);
    expect(bad('checks:\n  - name: a\n    kind: tcp\n    host: h\n    port: 1\n    interval: soon\n')).toThrow(/checks\[0\]\.interval: expected a duration/);
    expect(bad('checks:\n  - name: a\n    kind: heartbeat\n    cron: "0 3 * * *"\n    tz: Mars/Olympus\n')).toThrow(/checks\[0\]\.tz: unknown time zone/);
    expect(bad('checks:\n  - name: a\n    kind: heartbeat\n')).toThrow(/checks\[0\]\.period: a heartbeat needs either period or cron/);
    expect(bad('checks:\n  - name: a\n    kind: heartbeat\n    cron: "99 * * * *"\n')).toThrow(/checks\[0\]\.cron: invalid cron expression/);
    expect(bad('checks:\n  - {name: a, kind: tcp, host: h, port: 1}\n  - {name: a, kind: tcp, host: h, port: 2}\n')).toThrow(/checks\[1\]\.name: "a" is declared twice/);
    expect(bad('status_pages:\n  - slug: Has Spaces\n    title: x\n')).toThrow(/status_pages\[0\]\.slug:/);
    expect(bad('checks: [\n')).toThrow(/not valid YAML/);
    expect(bad('chekcs: []\n')).toThrow(/tend.yaml: /);
  });

  it('takes the environment from the file', () => {
    expect(parseChecksFile('environment: staging\n').environment).toBe('staging');
  });
});
