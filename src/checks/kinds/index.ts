// Runs one check of any probing kind with its timeout. Heartbeats are not probed: they wait
// for pings (see heartbeat.ts).
import type { CheckDefinition } from '../definition.js';
import { ms } from '../definition.js';
import { runDns } from './dns.js';
import { runHttp } from './http.js';
import type { CheckResult } from './result.js';
import { runTcp } from './tcp.js';
import { runTls } from './tls.js';

export type { CheckResult } from './result.js';

export async function probe(check: Exclude<CheckDefinition, { kind: 'heartbeat' }>): Promise<CheckResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms(check.timeout));
  try {
    switch (check.kind) {
      case 'http':
        return await runHttp(check, controller.signal);
      case 'tcp':
        return await runTcp(check, controller.signal);
      case 'tls':
        return await runTls(check, controller.signal);
      case 'dns':
        return await runDns(check, controller.signal);
    }
  } finally {
    clearTimeout(timer);
  }
}
