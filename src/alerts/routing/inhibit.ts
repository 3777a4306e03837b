// Inhibit rules: a firing alert matching source_matchers mutes alerts matching target_matchers
// that carry the same values for the `equal` labels. An alert never inhibits itself.
import type { Labels } from '../labels.js';
import { matchesAll, parseMatchers, type Matcher } from '../matchers.js';
import type { InhibitRule } from '../config.js';

export interface CompiledRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

export const compileRules = (rules: InhibitRule[]): CompiledRule[] =>
  rules.map((r) => ({ source: r.source_matchers.flatMap(parseMatchers), target: r.target_matchers.flatMap(parseMatchers), equal: r.equal }));

/** Fingerprints of the firing alerts that inhibit `target`. */
export function inhibitedBy(rules: CompiledRule[], target: { fingerprint: string; labels: Labels }, firing: { fingerprint: string; labels: Labels }[]): string[] {
  const by: string[] = [];
  for (const rule of rules) {
    if (!matchesAll(rule.target, target.labels)) continue;
    for (const src of firing) {
      if (src.fingerprint === target.fingerprint || !matchesAll(rule.source, src.labels)) continue;
      if (rule.equal.every((n) => (src.labels[n] ?? '') === (target.labels[n] ?? ''))) by.push(src.fingerprint);
    }
  }
  return by;
}
