// The tcp kind: connect, optionally send a line and wait for an expected substring.
import net from 'node:net';
import type { TcpDefinition } from '../definition.js';
import { ms } from '../definition.js';
import { describeError, elapsedSince, type CheckResult } from './result.js';

const MAX_READ_BYTES = 64 * 1024;

export function runTcp(check: TcpDefinition, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  return new Promise<CheckResult>((resolve) => {
    const socket = net.connect({ host: check.host, port: check.port });
    let received = '';
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      signal.removeEventListener('abort', onAbort);
      resolve({ ok: error === undefined, durationMs: elapsedSince(started), error });
    };
    const onAbort = () =>
      finish(check.expect.contains !== undefined && socket.readyState === 'open'
        ? `timeout after ${ms(check.timeout)} ms waiting for "${check.expect.contains}"`
        : `timeout after ${ms(check.timeout)} ms`);
    signal.addEventListener('abort', onAbort);
    socket.on('error', (err) => finish(describeError(err)));
    socket.on('connect', () => {
      if (check.send !== undefined) socket.write(check.send);
      if (check.expect.contains === undefined) finish();
    });
    socket.on('data', (chunk: Buffer) => {
      if (received.length < MAX_READ_BYTES) received += chunk.toString('utf8');
      if (check.expect.contains !== undefined && received.includes(check.expect.contains)) finish();
    });
    socket.on('end', () => finish(`connection closed before "${check.expect.contains}" arrived`));
  });
}
