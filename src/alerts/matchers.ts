// Alertmanager's label matchers: `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`
// (value quoted or bare, regexes anchored at both ends), alone or as a `{a="1", b=~"x|y"}` list.
// A label that is absent matches as the empty string, as in Alertmanager.
import type { Labels } from './labels.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export class MatcherError extends Error {}

const ONE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*|"(?:[^"\\]|\\.)*")\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,"}]*?)\s*$/;

function unquote(s: string): string {
  return s.startsWith('"') ? (JSON.parse(s) as string) : s;
}

/** Parses one matcher; throws MatcherError naming the text when it is not one. */
export function parseMatcher(text: string): Matcher {
  const m = ONE.exec(text);
  if (!m) throw new MatcherError(`"${text}" is not a matcher such as severity="critical" or service=~"api|web"`);
  const matcher = { name: unquote(m[1]), op: m[2] as MatchOp, value: unquote(m[3]) };
  if (matcher.op === '=~' || matcher.op === '!~') regexOf(matcher.value);
  return matcher;
}

/** Splits `a="1", b=~"x,y"` at commas outside quotes. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && quoted) {
      cur += ch + (text[++i] ?? '');
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts;
}

/** One matcher, or a `{...}` list of them. */
export function parseMatchers(text: string): Matcher[] {
  const t = text.trim();
  const inner = t.startsWith('{') && t.endsWith('}') ? t.slice(1, -1) : t;
  return splitList(inner).map(parseMatcher);
}

const regexCache = new Map<string, RegExp>();

function regexOf(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    try {
      re = new RegExp(`^(?:${source})$`, 's');
    } catch (err) {
      throw new MatcherError(`"${source}" is not a valid regular expression: ${(err as Error).message}`);
    }
    if (regexCache.size > 10_000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return regexOf(m.value).test(v);
    case '!~':
      return !regexOf(m.value).test(v);
  }
}

export const matchesAll = (ms: readonly Matcher[], labels: Labels): boolean => ms.every((m) => matches(m, labels));

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
