// The audit log: every change is an event in the dataset `tend.audit` of its environment,
// written through the ingest pipeline like any other event (so it is queryable, kept and backed
// up like the rest), with secrets removed from what it records.
import type { Actor, Outcome } from '../auth/index.js';
import type { Environment, FieldValue, StoredEvent } from '../store/index.js';

export const AUDIT_DATASET = 'tend.audit';

export interface AuditEntry {
  env: Environment;
  actor: Actor;
  /** `<object>.<verb>`: auth.login, user.update, key.revoke, ... */
  action: string;
  target?: { kind: string; id: string };
  outcome: Outcome;
  status: number;
  address?: string;
  userAgent?: string;
  before?: unknown;
  after?: unknown;
  method?: string;
  route?: string;
}

/** Writes events to a dataset of an environment; at assembly, the ingest pipeline's submit. */
export type EventSink = (env: Environment, dataset: string, events: StoredEvent[]) => Promise<void>;

/** Field names whose values are secrets wherever they appear in a recorded object. */
const SECRET_NAME = /pass(word)?|secret|token|hash|(^|_)key$|cookie|authorization/i;

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_NAME.test(k) ? '[removed]' : redact(v);
    return out;
  }
  return value;
}

let last = 0;
let seq = 0;

/** Event time in microseconds, strictly increasing within this process, so ids sort by time. */
function nextMicros(): number {
  const now = Date.now() * 1000;
  seq = now > last ? 0 : seq + 1;
  last = Math.max(now, last);
  return last + (seq % 1000);
}

export function auditEvent(entry: AuditEntry): StoredEvent {
  const time = nextMicros();
  const fields: Record<string, FieldValue | undefined> = {
    'audit.id': `${String(time).padStart(17, '0')}-${Math.random().toString(36).slice(2, 8)}`,
    'actor.kind': entry.actor.kind,
    'actor.id': entry.actor.id,
    'actor.email': entry.actor.email,
    action: entry.action,
    'target.kind': entry.target?.kind,
    'target.id': entry.target?.id,
    outcome: entry.outcome,
    'http.status_code': entry.status,
    'http.method': entry.method,
    'http.route': entry.route,
    'client.address': entry.address,
    user_agent: entry.userAgent?.slice(0, 500),
    'change.before': entry.before === undefined ? undefined : JSON.stringify(redact(entry.before)),
    'change.after': entry.after === undefined ? undefined : JSON.stringify(redact(entry.after)),
  };
  const clean: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') clean[k] = v;
  return { time, samplerate: 1, fields: clean };
}

export class AuditLog {
  constructor(
    private readonly sink: EventSink,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Resolves once the entry is committed; a failure is reported, never thrown at the request. */
  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.sink(entry.env, AUDIT_DATASET, [auditEvent(entry)]);
    } catch (err) {
      this.onError(err);
    }
  }
}
