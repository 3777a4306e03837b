// Check results, state changes and pings become events in the check's environment, written
// through the shared ingest pipeline like any other data (datasets tend.checks,
// tend.check_states and tend.pings).
import type { Environment, FieldValue, StoredEvent } from '../store/index.js';
import type { CheckResult } from './kinds/index.js';
import type { CheckState } from './state-machine.js';

export const CHECKS_DATASET = 'tend.checks';
export const STATES_DATASET = 'tend.check_states';
export const PINGS_DATASET = 'tend.pings';

export interface ResultContext {
  name: string;
  kind: string;
  target: string;
  state: CheckState;
  maintenance: boolean;
  lagMs?: number;
  /** How the run was started: scheduled, manual (API/CLI), ping (heartbeat) or deadline. */
  trigger: string;
  /** The node that ran it (TEND_NODE_ID): with several nodes, which one held the checks. */
  node?: string;
}

function event(timeMs: number, fields: Record<string, FieldValue | undefined>): StoredEvent {
  const clean: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) clean[k] = v;
  return { time: Math.round(timeMs * 1000), samplerate: 1, fields: clean };
}

export function resultEvent(timeMs: number, r: CheckResult, c: ResultContext): StoredEvent {
  return event(timeMs, {
    'check.name': c.name,
    'check.kind': c.kind,
    target: c.target,
    ok: r.ok,
    duration_ms: r.durationMs,
    'http.status_code': r.httpStatus,
    error: r.error,
    'tls.cert_days_left': r.certDaysLeft,
    state: c.state,
    maintenance: c.maintenance,
    schedule_lag_ms: c.lagMs,
    trigger: c.trigger,
    'tend.node': c.node,
  });
}

export function stateEvent(timeMs: number, name: string, kind: string, state: CheckState, previous: CheckState, reason?: string): StoredEvent {
  return event(timeMs, { 'check.name': name, 'check.kind': kind, state, previous_state: previous, reason });
}

export interface PingFields {
  name: string;
  kind: string;
  uuid: string;
  method: string;
  remoteAddr: string;
  userAgent?: string;
  exitStatus?: number;
  rid?: string;
  body?: string;
  bodyBytes: number;
  durationMs?: number;
}

export function pingEvent(timeMs: number, p: PingFields): StoredEvent {
  return event(timeMs, {
    'check.name': p.name,
    'check.kind': 'heartbeat',
    'check.uuid': p.uuid,
    'ping.kind': p.kind,
    'ping.method': p.method,
    'ping.remote_addr': p.remoteAddr,
    'ping.user_agent': p.userAgent,
    'ping.exit_status': p.exitStatus,
    'ping.rid': p.rid,
    'ping.body': p.body,
    'ping.body_bytes': p.bodyBytes,
    'ping.duration_ms': p.durationMs,
  });
}

/**
 * Writes events for an environment, resolving once committed. `urgent` events (a ping, a run
 * someone asked for) are not held back to share a commit.
 */
export type EventSink = (env: Environment, dataset: string, events: StoredEvent[], urgent: boolean) => Promise<void>;
