// The tls kind: a TLS handshake with host:port, checking the chain against the trusted roots
// (or `ca_file`) and the days left on the leaf certificate.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { TlsDefinition } from '../definition.js';
import { ms } from '../definition.js';
import { daysUntil, describeError, elapsedSince, type CheckResult } from './result.js';

export function runTls(check: TlsDefinition, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  return new Promise<CheckResult>((resolve) => {
    const servername = check.servername ?? (net.isIP(check.host) ? undefined : check.host);
    const socket = tls.connect({
      host: check.host,
      port: check.port,
      servername,
      ca: check.ca_file ? fs.readFileSync(check.ca_file) : undefined,
      // Verified below so an invalid chain still reports its days left.
      rejectUnauthorized: false,
    });
    let settled = false;
    const finish = (result: Omit<CheckResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      signal.removeEventListener('abort', onAbort);
      resolve({ ...result, durationMs: elapsedSince(started) });
    };
    const onAbort = () => finish({ ok: false, error: `timeout after ${ms(check.timeout)} ms` });
    signal.addEventListener('abort', onAbort);
    socket.on('error', (err) => finish({ ok: false, error: describeError(err) }));
    socket.on('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const certDaysLeft = cert?.valid_to ? daysUntil(cert.valid_to) : undefined;
      let error: string | undefined;
      // Node verifies the chain and the name (when a servername is set) during the handshake.
      const problem = String(socket.authorizationError ?? '');
      if (!socket.authorized && problem.includes('ALTNAME')) error = `certificate is not valid for "${servername}"`;
      else if (!socket.authorized) error = `certificate chain is not valid: ${problem}`;
      else if (certDaysLeft !== undefined && certDaysLeft < check.expect.min_days_left) {
        error = `certificate expires in ${certDaysLeft} days, fewer than ${check.expect.min_days_left}`;
      }
      finish({ ok: error === undefined, error, certDaysLeft });
    });
  });
}
