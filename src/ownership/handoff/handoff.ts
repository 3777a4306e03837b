// The handoff rule, live: a service may be handed to its operating team when it had fewer than
// N faults (incidents of at least the chosen severity) in the last M weeks and meets what the
// rule requires (a complete runbook, an on-call schedule, checks, an SLO); once handed over it
// is `operated` while it stays within N faults and keeps its runbook complete, and
// `handed_back` to its builders past that. Scorecard levels are checked the same way.
import type { Handoff, Requirements, ScorecardLevel, Service } from '../config.js';
import type { RunbookStatus } from '../runbooks/runbook.js';

export const HANDOFF_STATUSES = ['ready', 'not_ready', 'operated', 'handed_back'] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

export interface Facts {
  service: Service;
  runbook: RunbookStatus;
  faults: number;
  /** When the service was handed over (and not handed back since), ms. */
  handedOverAt?: number;
  /** The status last recorded. */
  previous?: HandoffStatus;
}

export interface Verdict {
  status: HandoffStatus;
  /** Each condition the rule names that the service does not meet. */
  missing: string[];
  faults: number;
  max_faults: number;
  weeks: number;
  scorecard: string | null;
}

function unmet(req: Partial<Requirements>, f: Facts, maxFaults: number | undefined, strictFaults: boolean): string[] {
  const out: string[] = [];
  if (req.runbook) {
    if (f.runbook.state !== 'checked') out.push(`runbook: ${f.runbook.problems[0] ?? f.runbook.state}`);
    else if (!f.runbook.complete) out.push(...f.runbook.problems.map((p) => `runbook: ${p}`));
  }
  if (req.schedule && !f.service.schedule) out.push('schedule: no on-call schedule');
  if (req.checks && f.service.checks.length < req.checks) out.push(`checks: ${f.service.checks.length} of the ${req.checks} required`);
  if (req.slo && !f.service.slos.length) out.push('slo: no SLO');
  if (maxFaults !== undefined && (strictFaults ? f.faults >= maxFaults : f.faults > maxFaults)) {
    out.push(`faults: ${f.faults} in the window (${strictFaults ? `fewer than ${maxFaults}` : `at most ${maxFaults}`} allowed)`);
  }
  return out;
}

/** The highest level met, checking levels in order (a level counts only when those before it do). */
export function scorecardLevel(levels: ScorecardLevel[], f: Facts): string | null {
  let level: string | null = null;
  for (const l of levels) {
    if (unmet(l.require, f, l.max_faults, false).length) break;
    level = l.name;
  }
  return level;
}

export function judge(rule: Handoff, levels: ScorecardLevel[], f: Facts): Verdict {
  const base = { faults: f.faults, max_faults: rule.max_faults, weeks: rule.weeks, scorecard: scorecardLevel(levels, f) };
  if (f.handedOverAt !== undefined) {
    // Operated: kept while within N faults and the runbook stays complete.
    const broken = unmet({ runbook: rule.require.runbook }, f, rule.max_faults, false);
    return { ...base, status: broken.length ? 'handed_back' : 'operated', missing: broken };
  }
  // Handing over asks for fewer than N faults.
  const missing = unmet(rule.require, f, rule.max_faults, true);
  if (!missing.length) return { ...base, status: 'ready', missing };
  return { ...base, status: f.previous === 'handed_back' ? 'handed_back' : 'not_ready', missing };
}
