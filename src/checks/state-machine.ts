// The check state machine, pure: a result (ok or not) moves a check between pending, up and
// down after the configured number of consecutive results; paused and maintenance hold the
// state still while results keep being recorded.
export const CHECK_STATES = ['pending', 'up', 'down', 'paused', 'maintenance'] as const;
export type CheckState = (typeof CHECK_STATES)[number];

export interface StateCounters {
  state: CheckState;
  failures: number;
  successes: number;
}

export interface Thresholds {
  failuresBeforeDown: number;
  successesBeforeUp: number;
}

export const initialCounters = (): StateCounters => ({ state: 'pending', failures: 0, successes: 0 });

/** The counters after one result; `hold` is paused or maintenance when either applies. */
export function nextCounters(cur: StateCounters, ok: boolean, t: Thresholds, hold?: 'paused' | 'maintenance'): StateCounters {
  if (hold) return { state: hold, failures: 0, successes: 0 };
  // Leaving a hold starts over: the check must prove itself again.
  const base = cur.state === 'paused' || cur.state === 'maintenance' ? initialCounters() : cur;
  if (ok) {
    const successes = base.successes + 1;
    const state = base.state !== 'up' && successes >= t.successesBeforeUp ? 'up' : base.state;
    return { state, failures: 0, successes };
  }
  const failures = base.failures + 1;
  const state = base.state !== 'down' && failures >= t.failuresBeforeDown ? 'down' : base.state;
  return { state, failures, successes: 0 };
}
