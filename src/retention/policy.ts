// Which retention a dataset has: tend.yaml's `retention.datasets` names datasets exactly or by
// pattern ("web-*"), an exact name wins over any pattern and a longer pattern over a shorter
// one; everything else keeps the default. Names compare case-insensitively, as datasets do.

/** Days kept; 0 keeps everything. */
export type Days = number;

export interface RetentionRules {
  /** Days kept when no rule names the dataset. */
  defaultDays: Days;
  /** Dataset name or pattern (`*` any characters, `?` one) -> days. */
  datasets: Record<string, Days>;
}

export interface EffectiveRetention {
  days: Days;
  /** What decided it: "default", the exact name, or the pattern that matched. */
  rule: string;
}

interface Pattern {
  text: string;
  days: Days;
  re: RegExp;
}

const isPattern = (name: string) => /[*?]/.test(name);

function compile(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

export class RetentionPolicy {
  private readonly exact = new Map<string, Days>();
  /** Longest first, so the first match is the one that wins; ties go to the alphabetically first. */
  private readonly patterns: Pattern[];

  constructor(readonly rules: RetentionRules) {
    const patterns: Pattern[] = [];
    for (const [name, days] of Object.entries(rules.datasets)) {
      const key = name.toLowerCase();
      if (isPattern(key)) patterns.push({ text: key, days, re: compile(key) });
      else this.exact.set(key, days);
    }
    this.patterns = patterns.sort((a, b) => b.text.length - a.text.length || (a.text < b.text ? -1 : 1));
  }

  get defaultDays(): Days {
    return this.rules.defaultDays;
  }

  of(dataset: string): EffectiveRetention {
    const name = dataset.toLowerCase();
    const exact = this.exact.get(name);
    if (exact !== undefined) return { days: exact, rule: name };
    const pattern = this.patterns.find((p) => p.re.test(name));
    if (pattern) return { days: pattern.days, rule: pattern.text };
    return { days: this.rules.defaultDays, rule: 'default' };
  }
}
