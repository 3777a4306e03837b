// The dns kind: resolve a name and compare the answers. With `server`, the query goes to that
// server; without it, A and AAAA use the system resolver (so /etc/hosts counts, as it does for
// the services that resolve the name) and other types use the system's DNS servers.
import dns from 'node:dns';
import type { DnsDefinition } from '../definition.js';
import { ms } from '../definition.js';
import { describeError, elapsedSince, type CheckResult } from './result.js';

export async function runDns(check: DnsDefinition, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  try {
    const values = await withAbort(resolve(check), signal, `timeout after ${ms(check.timeout)} ms`);
    const error = compare(check, values);
    return { ok: error === undefined, durationMs: elapsedSince(started), error };
  } catch (err) {
    return { ok: false, durationMs: elapsedSince(started), error: describeError(err) };
  }
}

async function resolve(check: DnsDefinition): Promise<string[]> {
  if (!check.server && (check.record_type === 'A' || check.record_type === 'AAAA')) {
    const found = await dns.promises.lookup(check.host, { family: check.record_type === 'A' ? 4 : 6, all: true });
    return found.map((a) => a.address);
  }
  const resolver = new dns.promises.Resolver({ timeout: ms(check.timeout), tries: 1 });
  if (check.server) resolver.setServers([check.server]);
  switch (check.record_type) {
    case 'MX':
      return (await resolver.resolveMx(check.host)).map((r) => `${r.priority} ${r.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(check.host)).map((parts) => parts.join(''));
    default:
      return (await resolver.resolve(check.host, check.record_type)) as string[];
  }
}

function compare(check: DnsDefinition, values: string[]): string | undefined {
  if (values.length === 0) return `no ${check.record_type} records for ${check.host}`;
  const { values: want, contains } = check.expect;
  if (want && [...want].sort().join(',') !== [...values].sort().join(',')) {
    return `${check.record_type} records are ${values.join(', ')}, expected ${want.join(', ')}`;
  }
  if (contains !== undefined && !values.some((v) => v.includes(contains))) {
    return `no ${check.record_type} record contains "${contains}" (got ${values.join(', ')})`;
  }
  return undefined;
}

function withAbort<T>(work: Promise<T>, signal: AbortSignal, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(message));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
