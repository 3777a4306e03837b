// The expression tree every part of a plan is made of: columns, literals and calls of a small,
// dialect-free vocabulary. Filters, calculated fields and aggregate inputs all become Expr, and
// the store's compiler (store/sql-compiler.ts and each engine's subclass) turns them into SQL. Building helpers keep result types right,
// so compilers never guess.

export type ValueType = 'string' | 'integer' | 'float' | 'boolean' | 'null';

export type Fn =
  | 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'
  | 'and' | 'or' | 'not' | 'is_null' | 'not_null' | 'in'
  | 'starts_with' | 'ends_with' | 'contains'
  | 'if' | 'coalesce' | 'nullif_empty'
  | 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'least' | 'greatest' | 'log10'
  | 'to_int' | 'to_float' | 'to_string'
  | 'concat' | 'lower' | 'length' | 'byte_length'
  | 'regex_match' | 'regex_value' | 'bucket' | 'unix_timestamp'
  /** Event time in seconds since the epoch (float). */
  | 'event_time';

export type Literal = string | number | boolean | null;

export type Expr =
  | { kind: 'column'; name: string; type: ValueType }
  | { kind: 'literal'; value: Literal; type: ValueType }
  | { kind: 'call'; fn: Fn; args: Expr[]; type: ValueType };

export const isNumeric = (t: ValueType) => t === 'integer' || t === 'float';

/** The columns these expressions read, each once, with the type the plan gave it. */
export function columnsOf(exprs: Expr[]): { name: string; type: Exclude<ValueType, 'null'> }[] {
  const found = new Map<string, Exclude<ValueType, 'null'>>();
  const walk = (e: Expr): void => {
    if (e.kind === 'column' && e.type !== 'null') found.set(e.name, e.type);
    else if (e.kind === 'call') e.args.forEach(walk);
  };
  exprs.forEach(walk);
  return [...found].map(([name, type]) => ({ name, type }));
}

export function lit(value: Literal): Expr {
  const type: ValueType =
    value === null ? 'null' : typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean'
      : Number.isSafeInteger(value) ? 'integer' : 'float';
  return { kind: 'literal', value, type };
}

export const TRUE = lit(true);
export const FALSE = lit(false);
export const NULL = lit(null);

export function col(name: string, type: ValueType): Expr {
  return { kind: 'column', name, type };
}

export function call(fn: Fn, args: Expr[], type: ValueType): Expr {
  return { kind: 'call', fn, args, type };
}

/** Honeycomb's truthiness: false, 0, "" and null are false. */
export function truthy(e: Expr): Expr {
  switch (e.type) {
    case 'boolean':
      return e;
    case 'null':
      return FALSE;
    case 'string':
      return call('ne', [e, lit('')], 'boolean');
    default:
      return call('ne', [e, lit(0)], 'boolean');
  }
}

export function toStringExpr(e: Expr): Expr {
  return e.type === 'string' || e.type === 'null' ? e : call('to_string', [e], 'string');
}

/**
 * The common type of values that meet in one place (IF branches, COALESCE arguments):
 * numbers stay numbers, anything else mixed becomes text. Returns the args converted.
 */
export function unify(args: Expr[]): { type: ValueType; args: Expr[] } {
  const types = new Set(args.map((a) => a.type).filter((t) => t !== 'null'));
  if (types.size === 0) return { type: 'null', args };
  // A NULL among typed values takes their type, so CASE and COALESCE branches agree in SQL.
  const typedNulls = (type: ValueType) => args.map((a): Expr => (a.type === 'null' && a.kind === 'literal' ? { ...a, type } : a));
  if (types.size === 1) {
    const type = [...types][0];
    return { type, args: typedNulls(type) };
  }
  if ([...types].every(isNumeric)) {
    const toFloat = (a: Expr): Expr => (a.kind === 'literal' ? { ...a, type: 'float' } : call('to_float', [a], 'float'));
    return { type: 'float', args: typedNulls('float').map((a) => (a.type === 'integer' ? toFloat(a) : a)) };
  }
  return { type: 'string', args: typedNulls('string').map(toStringExpr) };
}

/** AND / OR of several predicates, folding constants so unknown columns give plain SQL. */
export function combine(fn: 'and' | 'or', parts: Expr[]): Expr {
  const unit = fn === 'and' ? true : false;
  const kept: Expr[] = [];
  for (const p of parts) {
    if (p.kind === 'literal' && p.value === unit) continue;
    if (p.kind === 'literal' && p.value === !unit) return lit(!unit);
    kept.push(p);
  }
  if (kept.length === 0) return lit(unit);
  return kept.length === 1 ? kept[0] : call(fn, kept, 'boolean');
}

export function not(e: Expr): Expr {
  if (e.kind === 'literal' && typeof e.value === 'boolean') return lit(!e.value);
  return call('not', [e], 'boolean');
}
