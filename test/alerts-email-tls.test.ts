// Email over TLS from the first byte (`tls: true`, SMTPS) and over STARTTLS on a plain port
// (`starttls: true`), each against a real SMTP server (smtp-server) with a private certificate
// that Tend trusts through `ca_file`, and a STARTTLS receiver refusing a server that does not
// offer the upgrade rather than sending the password in the clear.
import fs from 'node:fs';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from './support/check-targets.js';
import { api, startAlertsTend, type AlertsTend } from './support/alerts.js';
import { until } from './support/until.js';

const cert = selfSignedCert();
interface Received {
  server: string;
  secure: boolean;
  user?: string;
  subject?: string;
}
const received: Received[] = [];
const servers: SMTPServer[] = [];
let t: AlertsTend;

async function smtpServer(name: string, options: { secure?: boolean; starttls: boolean }): Promise<number> {
  const server = new SMTPServer({
    secure: options.secure ?? false,
    key: fs.readFileSync(cert.keyFile),
    cert: fs.readFileSync(cert.certFile),
    disabledCommands: options.starttls ? [] : ['STARTTLS'],
    allowInsecureAuth: !options.starttls && !options.secure,
    onAuth(auth, _session, cb) {
      if (auth.username === 'alerts' && auth.password === 'smtp-pass') cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        received.push({ server: name, secure: session.secure, user: session.user as string | undefined, subject: mail.subject });
        cb();
      }, cb);
    },
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.server.address() as { port: number }).port;
}

beforeAll(async () => {
  const smtps = await smtpServer('smtps', { secure: true, starttls: false });
  const upgrade = await smtpServer('starttls', { starttls: true });
  const plainOnly = await smtpServer('plain-only', { starttls: false });
  const common = `host: localhost, user: alerts, password: smtp-pass, from: "Tend <tend@example.com>", ca_file: "${cert.certFile}", to: ["oncall@example.com"]`;
  t = await startAlertsTend(`
alerting:
  receivers:
    - name: smtps
      email: { ${common}, port: ${smtps}, tls: true }
    - name: starttls
      email: { ${common}, port: ${upgrade}, starttls: true }
    - name: downgraded
      email: { ${common}, port: ${plainOnly}, starttls: true }
  route:
    receiver: smtps
    group_wait: 0s
    routes:
      - { matchers: ['via="smtps"'], receiver: smtps }
      - { matchers: ['via="starttls"'], receiver: starttls }
      - { matchers: ['via="downgraded"'], receiver: downgraded }
`);
}, 30_000);

afterAll(async () => {
  await t?.close();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe('email over TLS', () => {
  it('sends over SMTPS and over STARTTLS, authenticated, with the certificate verified against ca_file', async () => {
    for (const via of ['smtps', 'starttls']) {
      await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: `Mail-${via}`, via }, annotations: { summary: via } }]);
    }
    await until('two mails received', () => received.length >= 2, 10_000);
    const byServer = Object.fromEntries(received.map((r) => [r.server, r]));
    expect(byServer.smtps).toEqual({ server: 'smtps', secure: true, user: 'alerts', subject: '[FIRING:1] Mail-smtps' });
    expect(byServer.starttls).toEqual({ server: 'starttls', secure: true, user: 'alerts', subject: '[FIRING:1] Mail-starttls' });
  });

  it('refuses to send when STARTTLS is required and the server does not offer it', async () => {
    await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'Mail-downgraded', via: 'downgraded' }, annotations: { summary: 'no tls' } }]);
    const fp = await until('the downgraded alert', async () => (await api(t, t.adminKey, 'GET', '/api/v1/alerts')).body.alerts.find((a: { labels: { via?: string } }) => a.labels.via === 'downgraded')?.fingerprint as string | undefined);
    const failed = await until('the failed delivery', async () => {
      const history = (await api(t, t.adminKey, 'GET', `/api/v1/alerts/${fp}`)).body.notifications as { receiver: string; lastError?: string }[];
      return history.find((n) => n.receiver === 'downgraded' && n.lastError);
    });
    expect(failed.lastError).toMatch(/STARTTLS/i);
    expect(received.some((r) => r.server === 'plain-only')).toBe(false);
  });
});
