import { describe, expect, it } from 'vitest';
import { matches, matchesAll, MatcherError, parseMatcher, parseMatchers } from './matchers.js';

describe('matchers', () => {
  it('parses the four operators, quoted or bare, and lists in braces', () => {
    expect(parseMatcher('severity="critical"')).toEqual({ name: 'severity', op: '=', value: 'critical' });
    expect(parseMatcher('service!=web')).toEqual({ name: 'service', op: '!=', value: 'web' });
    expect(parseMatcher(' service =~ "api|web" ')).toEqual({ name: 'service', op: '=~', value: 'api|web' });
    expect(parseMatcher('x!~"a\\"b"')).toEqual({ name: 'x', op: '!~', value: 'a"b' });
    expect(parseMatchers('{a="1", b=~"x,y"}')).toEqual([{ name: 'a', op: '=', value: '1' }, { name: 'b', op: '=~', value: 'x,y' }]);
  });

  it('refuses what is not a matcher, naming it', () => {
    expect(() => parseMatcher('severity')).toThrow(MatcherError);
    expect(() => parseMatcher('a=~"("')).toThrow(/not a valid regular expression/);
  });

  it('anchors regexes and treats a missing label as empty', () => {
    const labels = { service: 'api-gw' };
    expect(matches(parseMatcher('service=~"api"'), labels)).toBe(false);
    expect(matches(parseMatcher('service=~"api.*"'), labels)).toBe(true);
    expect(matches(parseMatcher('team=""'), labels)).toBe(true);
    expect(matches(parseMatcher('team!~".+"'), labels)).toBe(true);
    expect(matchesAll(parseMatchers('{service=~"api.*", team="x"}'), labels)).toBe(false);
  });
});
