// Every receiver kind against a local server that checks the payload field by field against
// the service's published format: Alertmanager's webhook v4, Slack incoming webhooks,
// PagerDuty Events API v2, ntfy JSON publishing, Twilio's Messages API, and email through a
// real SMTP server (smtp-server) with the message parsed by mailparser.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, startReceiver, type AlertsTend, type Receiver } from './support/alerts.js';
import { until } from './support/until.js';

let t: AlertsTend;
let hooks: Receiver;
let smtp: SMTPServer;
let smtpPort = 0;
const mails: { mail: ParsedMail; auth?: string; rcpt: string[] }[] = [];

const LABELS = { alertname: 'DiskFull', service: 'db', severity: 'critical', instance: 'db1:9100' };
const ANNOTATIONS = { summary: 'Disk 97% full on db1', runbook_url: 'https://runbooks.example.com/disk' };

beforeAll(async () => {
  hooks = await startReceiver();
  smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'alerts' && auth.password === 'smtp-pass') cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        mails.push({ mail, auth: session.user as string | undefined, rcpt: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as { port: number }).port;
  const u = hooks.url;
  t = await startAlertsTend(`
alerting:
  external_url: https://tend.example.com
  smtp: { host: 127.0.0.1, port: ${smtpPort}, user: alerts, password: "\${SMTP_PASSWORD}", from: "Tend <tend@example.com>" }
  receivers:
    - name: everyone
      slack: { url: "${u}/slack", channel: "#ops" }
      pagerduty: { routing_key: "R0UT1NGKEY", url: "${u}/pd/v2/enqueue" }
      ntfy: { server: "${u}/ntfy", topic: "ops-alerts" }
      sms: { account_sid: "AC123", auth_token: "tok", from: "+15550001", to: ["+15550002"], base_url: "${u}/twilio" }
      email: { to: ["oncall@example.com"] }
  route: { receiver: everyone, group_by: [alertname], group_wait: 0s, group_interval: 200ms }
`, undefined, { SMTP_PASSWORD: 'smtp-pass' });
}, 30_000);

afterAll(async () => {
  await t?.close();
  await hooks?.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

const byPath = (prefix: string) => hooks.got.filter((r) => r.url.startsWith(prefix));

describe('receivers', () => {
  it('sends a firing alert to every kind in its own format', async () => {
    await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: LABELS, annotations: ANNOTATIONS }]);
    await until('one notification at every receiver', () => ['/slack', '/pd', '/ntfy', '/twilio'].every((p) => byPath(p).length >= 1) && mails.length >= 1, 8000);
    const fp = (await api(t, t.adminKey, 'GET', '/api/v1/alerts')).body.alerts[0].fingerprint;
    const link = `https://tend.example.com/api/v1/alerts/${fp}`;

    const slack = JSON.parse(byPath('/slack')[0].body);
    expect(slack.channel).toBe('#ops');
    expect(slack.text).toBe('[FIRING:1] DiskFull');
    expect(slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '[FIRING:1] DiskFull' } });
    expect(slack.blocks[1].type).toBe('section');
    expect(slack.blocks[1].text.type).toBe('mrkdwn');
    expect(slack.blocks[1].text.text).toContain('Disk 97% full on db1');
    expect(slack.blocks[1].text.text).toContain('instance=db1:9100');
    expect(slack.blocks[2]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${link}|Alert> | <https://runbooks.example.com/disk|Runbook>` }] });

    const pd = byPath('/pd')[0];
    expect(pd.url).toBe('/pd/v2/enqueue');
    expect(pd.headers['content-type']).toBe('application/json');
    const ev = JSON.parse(pd.body);
    expect(ev).toMatchObject({ routing_key: 'R0UT1NGKEY', event_action: 'trigger', dedup_key: fp, client: 'Tend', client_url: 'https://tend.example.com' });
    expect(ev.payload).toMatchObject({ summary: 'Disk 97% full on db1', severity: 'critical', source: 'db1:9100', custom_details: { labels: LABELS, annotations: ANNOTATIONS } });
    expect(Date.parse(ev.payload.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(ev.links).toEqual([{ href: link, text: 'Alert in Tend' }, { href: 'https://runbooks.example.com/disk', text: 'Runbook' }]);

    const ntfy = byPath('/ntfy')[0];
    expect(ntfy.url).toBe('/ntfy/');
    const nm = JSON.parse(ntfy.body);
    expect(nm).toMatchObject({ topic: 'ops-alerts', title: '[FIRING:1] DiskFull', priority: 5, tags: ['rotating_light', 'critical'] });
    expect(nm.message).toContain('Disk 97% full on db1');

    const sms = byPath('/twilio')[0];
    expect(sms.url).toBe('/twilio/2010-04-01/Accounts/AC123/Messages.json');
    expect(sms.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sms.headers.authorization).toBe(`Basic ${Buffer.from('AC123:tok').toString('base64')}`);
    const form = new URLSearchParams(sms.body);
    expect(Object.fromEntries(form)).toEqual({ To: '+15550002', From: '+15550001', Body: '[FIRING:1] DiskFull: Disk 97% full on db1' });

    const { mail, auth, rcpt } = mails[0];
    expect(auth).toBe('alerts');
    expect(rcpt).toEqual(['oncall@example.com']);
    expect(mail.from?.value[0]).toEqual({ address: 'tend@example.com', name: 'Tend' });
    expect(mail.subject).toBe('[FIRING:1] DiskFull');
    expect(mail.text).toContain('FIRING: Disk 97% full on db1');
    expect(mail.text).toContain(`alert: ${link}`);
    expect(mail.text).toContain('runbook: https://runbooks.example.com/disk');
    expect(mail.html).toContain('<strong>Firing</strong>: Disk 97% full on db1');
    expect(mail.html).toContain(`<a href="${link}">Alert</a>`);
    expect(mail.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);

    // An acknowledgement reaches PagerDuty (event_action acknowledge) and nothing else.
    const others = hooks.got.length - byPath('/pd').length;
    await api(t, t.adminKey, 'POST', `/api/v1/alerts/${fp}/ack`);
    await until('the second PagerDuty event', () => byPath('/pd').length >= 2, 8000);
    expect(JSON.parse(byPath('/pd')[1].body)).toMatchObject({ routing_key: 'R0UT1NGKEY', event_action: 'acknowledge', dedup_key: fp });
    await new Promise((r) => setTimeout(r, 300));
    expect(hooks.got.length - byPath('/pd').length).toBe(others);

    // Every attempt is an event in tend.notifications.
    const q = await api(t, t.adminKey, 'POST', '/api/v1/query/tend.notifications', { time_range: 600, calculations: [{ op: 'COUNT' }], breakdowns: ['receiver.kind', 'status'] });
    const got = q.body.data.results.map((r: { data: Record<string, unknown> }) => `${r.data['receiver.kind']}:${r.data.status}:${r.data.COUNT}`).sort();
    expect(got).toEqual(['email:sent:1', 'ntfy:sent:1', 'pagerduty:sent:2', 'slack:sent:1', 'sms:sent:1']);
  });

  it('sends resolves: PagerDuty resolve with the same dedup_key, ntfy with the resolved tag', async () => {
    const fp = (await api(t, t.adminKey, 'GET', '/api/v1/alerts')).body.alerts[0].fingerprint;
    await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: LABELS, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    // Every integration is told of the resolve (send_resolved is on by default); wait for all of
    // them, so none arrives during the next test and is counted there.
    await until('the resolutions at every receiver', () => byPath('/pd').length >= 3 && ['/slack', '/ntfy', '/twilio'].every((p) => byPath(p).length >= 2) && mails.length >= 2, 8000);
    const ev = JSON.parse(byPath('/pd')[2].body);
    expect(ev).toMatchObject({ routing_key: 'R0UT1NGKEY', event_action: 'resolve', dedup_key: fp });
    expect(JSON.parse(byPath('/ntfy')[1].body)).toMatchObject({ title: '[RESOLVED] DiskFull', priority: 3, tags: ['white_check_mark'] });
    expect(mails[1].mail.subject).toBe('[RESOLVED] DiskFull');
  });

  it('test-receiver sends through each integration now and says what happened', async () => {
    const before = hooks.got.length;
    const res = await api(t, t.adminKey, 'POST', '/api/v1/alerts/receivers/everyone/test');
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { kind: string; status: string }) => `${r.kind}:${r.status}`)).toEqual(['slack:sent', 'email:sent', 'pagerduty:sent', 'ntfy:sent', 'sms:sent']);
    expect(hooks.got.length).toBe(before + 4);
    expect((await api(t, t.adminKey, 'POST', '/api/v1/alerts/receivers/nobody/test')).status).toBe(404);
  });
});
