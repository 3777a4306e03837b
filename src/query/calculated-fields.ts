// Calculated fields in Honeycomb's derived-column language: `IF(GTE($status, 500), "error",
// "ok")`. The grammar (functions, `$column`, `$"quoted column"`, strings, `raw` strings,
// numbers, true/false/null, trailing commas) is parsed into an Expr; unknown functions, wrong
// argument counts and bad regular expressions are 400s naming the field and the position.
import { badRequest } from '../http/index.js';
import {
  call, combine, isNumeric, lit, not, NULL, toStringExpr, truthy, unify,
  type Expr, type Fn,
} from './expr.js';

type Token =
  | { t: 'fn'; v: string; at: number }
  | { t: 'col'; v: string; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'num'; v: number; at: number }
  | { t: 'kw'; v: true | false | null; at: number }
  | { t: 'p'; v: '(' | ')' | ','; at: number };

class SyntaxProblem extends Error {}

const COLRUNE = /[\p{L}\p{N}_./:=+?-]/u;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/u.test(c)) { i++; continue; }
    const at = i;
    if (c === '(' || c === ')' || c === ',') { out.push({ t: 'p', v: c, at }); i++; continue; }
    if (c === '"') { const [s, end] = readString(src, i); out.push({ t: 'str', v: s, at }); i = end; continue; }
    if (c === '`') { const [s, end] = readRaw(src, i); out.push({ t: 'str', v: s, at }); i = end; continue; }
    if (c === '$') {
      const n = src[i + 1];
      if (n === '"') { const [s, end] = readString(src, i + 1); out.push({ t: 'col', v: s, at }); i = end; continue; }
      if (n === '`') { const [s, end] = readRaw(src, i + 1); out.push({ t: 'col', v: s, at }); i = end; continue; }
      let j = i + 1;
      while (j < src.length && COLRUNE.test(src[j])) j++;
      if (j === i + 1) throw new SyntaxProblem(`at ${at}: "$" must be followed by a column name`);
      out.push({ t: 'col', v: src.slice(i + 1, j), at }); i = j; continue;
    }
    const num = /^-?(\d+(\.\d+)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/.exec(src.slice(i));
    if (num) { out.push({ t: 'num', v: Number(num[0]), at }); i += num[0].length; continue; }
    const word = /^[A-Za-z][A-Za-z0-9_]*/.exec(src.slice(i));
    if (word) {
      const w = word[0];
      if (w === 'true' || w === 'false' || w === 'null') out.push({ t: 'kw', v: w === 'null' ? null : w === 'true', at });
      else out.push({ t: 'fn', v: w.toUpperCase(), at });
      i += w.length;
      continue;
    }
    throw new SyntaxProblem(`at ${at}: unexpected "${c}"`);
  }
  return out;
}

function readString(src: string, start: number): [string, number] {
  let j = start + 1;
  while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
  if (j >= src.length) throw new SyntaxProblem(`at ${start}: string is not closed`);
  try {
    return [JSON.parse(src.slice(start, j + 1)) as string, j + 1];
  } catch {
    throw new SyntaxProblem(`at ${start}: bad escape in string`);
  }
}

function readRaw(src: string, start: number): [string, number] {
  const end = src.indexOf('`', start + 1);
  if (end < 0) throw new SyntaxProblem(`at ${start}: raw string is not closed`);
  return [src.slice(start + 1, end), end + 1];
}

/** The syntax tree before names and types are resolved. */
type Node =
  | { k: 'fn'; name: string; args: Node[]; at: number }
  | { k: 'col'; name: string; at: number }
  | { k: 'lit'; value: string | number | boolean | null; at: number };

function parseTokens(tokens: Token[]): Node {
  let pos = 0;
  const expr = (): Node => {
    const tok = tokens[pos++];
    if (!tok) throw new SyntaxProblem('unexpected end of expression');
    if (tok.t === 'col') return { k: 'col', name: tok.v, at: tok.at };
    if (tok.t === 'str' || tok.t === 'num' || tok.t === 'kw') return { k: 'lit', value: tok.v, at: tok.at };
    if (tok.t === 'fn') {
      const open = tokens[pos++];
      if (!open || open.t !== 'p' || open.v !== '(') throw new SyntaxProblem(`at ${tok.at}: expected "(" after ${tok.v}`);
      const args: Node[] = [];
      for (;;) {
        const next = tokens[pos];
        if (!next) throw new SyntaxProblem(`at ${tok.at}: ${tok.v}( is not closed`);
        if (next.t === 'p' && next.v === ')') { pos++; break; }
        args.push(expr());
        const sep = tokens[pos];
        if (sep?.t === 'p' && sep.v === ',') { pos++; continue; }
        if (sep?.t === 'p' && sep.v === ')') { pos++; break; }
        if (!sep) throw new SyntaxProblem(`at ${tok.at}: ${tok.v}( is not closed`);
        throw new SyntaxProblem(`at ${sep.at}: expected "," or ")" in ${tok.v}(...)`);
      }
      return { k: 'fn', name: tok.v, args, at: tok.at };
    }
    throw new SyntaxProblem(`at ${tok.at}: unexpected "${tok.v}"`);
  };
  const root = expr();
  if (pos < tokens.length) throw new SyntaxProblem(`at ${tokens[pos].at}: unexpected text after the expression`);
  return root;
}

/** Resolves `$name` to a dataset column, another calculated field, or null when unknown. */
export type ColumnResolver = (name: string) => Expr;

const ARITY: Record<string, [number, number]> = {
  IF: [2, Infinity], SWITCH: [2, Infinity], COALESCE: [1, Infinity],
  EQUALS: [2, 2], LT: [2, 2], LTE: [2, 2], GT: [2, 2], GTE: [2, 2], IN: [2, Infinity],
  EXISTS: [1, 1], NOT: [1, 1], AND: [1, Infinity], OR: [1, Infinity],
  SUM: [1, Infinity], SUB: [2, 2], MUL: [1, Infinity], DIV: [2, 2], MOD: [2, 2],
  MIN: [1, Infinity], MAX: [1, Infinity], LOG10: [1, 1],
  INT: [1, 1], FLOAT: [1, 1], BOOL: [1, 1], STRING: [1, 1],
  CONCAT: [1, Infinity], STARTS_WITH: [2, 2], ENDS_WITH: [2, 2], CONTAINS: [2, 2],
  TO_LOWER: [1, 1], LENGTH: [1, 2], REG_MATCH: [2, 2], REG_VALUE: [2, 2],
  BUCKET: [2, 4], UNIX_TIMESTAMP: [1, 1], EVENT_TIMESTAMP: [0, 0],
};

class Builder {
  constructor(private readonly resolve: ColumnResolver) {}

  build(n: Node): Expr {
    if (n.k === 'lit') return lit(n.value);
    if (n.k === 'col') return this.resolve(n.name);
    const arity = ARITY[n.name];
    if (!arity) throw new SyntaxProblem(`at ${n.at}: unknown function ${n.name}`);
    if (n.args.length < arity[0] || n.args.length > arity[1]) {
      const want = arity[0] === arity[1] ? `${arity[0]}` : arity[1] === Infinity ? `at least ${arity[0]}` : `${arity[0]} to ${arity[1]}`;
      throw new SyntaxProblem(`at ${n.at}: ${n.name} takes ${want} arguments, got ${n.args.length}`);
    }
    const a = n.args.map((x) => this.build(x));
    return this.fn(n, a);
  }

  private literalString(n: Node, what: string): string {
    if (n.k !== 'lit' || typeof n.value !== 'string') throw new SyntaxProblem(`at ${n.at}: ${what} must be a string literal`);
    return n.value;
  }

  private fn(n: Node & { k: 'fn' }, a: Expr[]): Expr {
    // A null (an unknown column) reads as a float null, so the arithmetic around it types in SQL.
    const num = (e: Expr): Expr => (isNumeric(e.type) ? e : e.type === 'null' && e.kind === 'literal' ? { ...e, type: 'float' } : call('to_float', [e], 'float'));
    // Arithmetic runs in floating point (as Honeycomb's): large integers never overflow.
    const arith = (fn: Fn, args: Expr[]): Expr => call(fn, args.map((x) => (x.type === 'integer' ? call('to_float', [x], 'float') : num(x))), 'float');
    /** CASE WHEN conds[i] THEN values[i] ... ELSE otherwise END, with the values of one type. */
    const cases = (conds: Expr[], values: Expr[], otherwise: Expr): Expr => {
      const u = unify([...values, otherwise]);
      const args: Expr[] = [];
      conds.forEach((c, i) => args.push(c, u.args[i]));
      args.push(u.args[u.args.length - 1]);
      return call('if', args, u.type);
    };
    const compare = (fn: Fn): Expr => {
      const u = unify(a);
      return call(fn, u.args, 'boolean');
    };
    switch (n.name) {
      case 'IF': {
        // IF(c1, v1, c2, v2, ..., [else]): pairs of condition and value, then an optional default.
        const conds: Expr[] = [];
        const values: Expr[] = [];
        for (let i = 0; i + 1 < a.length; i += 2) { conds.push(truthy(a[i])); values.push(a[i + 1]); }
        return cases(conds, values, a.length % 2 === 1 ? a[a.length - 1] : NULL);
      }
      case 'SWITCH': {
        const subject = toStringExpr(a[0]);
        const rest = n.args.slice(1);
        const conds: Expr[] = [];
        const values: Expr[] = [];
        for (let i = 0; i + 1 < rest.length; i += 2) {
          conds.push(call('eq', [subject, lit(this.literalString(rest[i], 'a SWITCH case'))], 'boolean'));
          values.push(a[i + 2]);
        }
        return cases(conds, values, rest.length % 2 === 1 ? a[a.length - 1] : NULL);
      }
      case 'COALESCE': {
        const u = unify(a);
        return call('coalesce', u.args.map((x) => (x.type === 'string' ? call('nullif_empty', [x], 'string') : x)), u.type);
      }
      case 'EQUALS': return compare('eq');
      case 'LT': return compare('lt');
      case 'LTE': return compare('lte');
      case 'GT': return compare('gt');
      case 'GTE': return compare('gte');
      case 'IN': {
        const u = unify(a);
        return call('in', u.args, 'boolean');
      }
      case 'EXISTS': return call('not_null', [a[0]], 'boolean');
      case 'NOT': return not(truthy(a[0]));
      case 'AND': return combine('and', a.map(truthy));
      case 'OR': return combine('or', a.map(truthy));
      case 'SUM': return arith('add', a);
      case 'SUB': return arith('sub', a);
      case 'MUL': return arith('mul', a);
      case 'DIV': return call('div', a.map(num), 'float');
      case 'MOD': return call('mod', a.map(num), a.every((x) => x.type === 'integer') ? 'integer' : 'float');
      case 'MIN': return arith('least', a);
      case 'MAX': return arith('greatest', a);
      case 'LOG10': return call('log10', [num(a[0])], 'float');
      case 'INT': return call('to_int', [a[0]], 'integer');
      case 'FLOAT': return call('to_float', [a[0]], 'float');
      case 'BOOL': return truthy(a[0].type === 'string' ? call('if', [call('eq', [call('lower', [a[0]], 'string'), lit('false')], 'boolean'), lit(''), a[0]], 'string') : a[0]);
      case 'STRING': return toStringExpr(a[0]);
      case 'CONCAT': return call('concat', a.map(toStringExpr), 'string');
      case 'STARTS_WITH': return call('starts_with', a.map(toStringExpr), 'boolean');
      case 'ENDS_WITH': return call('ends_with', a.map(toStringExpr), 'boolean');
      case 'CONTAINS': return call('contains', a.map(toStringExpr), 'boolean');
      case 'TO_LOWER': return call('lower', [toStringExpr(a[0])], 'string');
      case 'LENGTH': {
        const mode = n.args[1] ? this.literalString(n.args[1], 'the LENGTH mode') : 'chars';
        if (mode !== 'chars' && mode !== 'bytes') throw new SyntaxProblem(`at ${n.args[1].at}: LENGTH mode is "chars" or "bytes"`);
        return call(mode === 'bytes' ? 'byte_length' : 'length', [toStringExpr(a[0])], 'integer');
      }
      case 'REG_MATCH':
      case 'REG_VALUE': {
        const pattern = this.literalString(n.args[1], 'the regular expression');
        let groups: number;
        try {
          groups = new RegExp(`${pattern}|`).exec('')!.length - 1;
        } catch (err) {
          throw new SyntaxProblem(`at ${n.args[1].at}: bad regular expression: ${(err as Error).message}`);
        }
        // The database runs RE2, which has no lookaround and no backreferences.
        if (/\(\?<?[=!]|\\[1-9]|\\k</.test(pattern)) throw new SyntaxProblem(`at ${n.args[1].at}: regular expressions use RE2 syntax: lookarounds and backreferences are not supported`);
        if (n.name === 'REG_MATCH') return call('regex_match', [toStringExpr(a[0]), lit(pattern)], 'boolean');
        // The first capture group when the pattern has one, else the whole match.
        return call('regex_value', [toStringExpr(a[0]), lit(pattern), lit(groups > 0 ? 1 : 0)], 'string');
      }
      case 'BUCKET': {
        for (let i = 1; i < a.length; i++) {
          const arg = n.args[i];
          if (arg.k !== 'lit' || typeof arg.value !== 'number') throw new SyntaxProblem(`at ${arg.at}: BUCKET size, min and max must be numbers`);
        }
        if ((n.args[1] as { value: number }).value <= 0) throw new SyntaxProblem(`at ${n.args[1].at}: BUCKET size must be positive`);
        return call('bucket', [num(a[0]), ...a.slice(1)], 'float');
      }
      case 'UNIX_TIMESTAMP': return call('unix_timestamp', [toStringExpr(a[0])], 'float');
      case 'EVENT_TIMESTAMP': return call('event_time', [], 'float');
    }
    throw new SyntaxProblem(`at ${n.at}: unknown function ${n.name}`);
  }
}

/**
 * Parses a derived-column expression into an Expr. `field` names the spec field for errors
 * (e.g. `calculated_fields[0].expression`).
 */
export function parseCalculatedField(expression: string, resolve: ColumnResolver, field: string): Expr {
  try {
    return new Builder(resolve).build(parseTokens(tokenize(expression)));
  } catch (err) {
    if (err instanceof SyntaxProblem) throw badRequest(`${field}: ${err.message}`);
    throw err;
  }
}
