// The `tend query` flag grammar, turned into a Honeycomb Query Specification (docs/queries.md,
// "The tend query command"):
//   --calc 'P99(duration_ms)'  --calc COUNT  --calc 'slow=COUNT_DISTINCT(customer_id)'
//   --where 'status_code >= 500'  --where 'endpoint starts-with /api'  --where 'region in us-east-1,eu-west-1'
//   --where 'error exists'  --any (OR the --where filters)
//   --by endpoint (repeat, or comma-separated)  --order 'P99(duration_ms) desc'  --limit 20
//   --having 'COUNT > 100'  --field 'fast=LT($duration_ms, 100)'
//   --last 2h | --start -3h --end -1h  --granularity 1m
import type { QuerySpec } from '../query/index.js';
import { CALCULATION_OPS, FILTER_OPS, HAVING_OPS, type CalculationOp } from '../query/index.js';
import { parseDuration, parseTimeArg } from './time-arg.js';

export interface QueryFlags {
  calc?: string[];
  where?: string[];
  any?: boolean;
  by?: string[];
  order?: string[];
  having?: string[];
  limit?: string;
  field?: string[];
  last?: string;
  start?: string;
  end?: string;
  granularity?: string;
}

type Scalar = string | number | boolean;
type Spec = Required<Pick<QuerySpec, 'calculations'>> & QuerySpec;

const TEXT_OPS = new Set(['starts-with', 'does-not-start-with', 'ends-with', 'does-not-end-with', 'contains', 'does-not-contain']);
const UNARY = new Set(['exists', 'does-not-exist']);
const LISTS = new Set(['in', 'not-in']);

/** `42` -> 42, `true` -> true, `"42"` -> "42" (quotes keep text as text), anything else as typed. */
export function parseValue(text: string): Scalar {
  const t = text.trim();
  const quoted = /^"(.*)"$/s.exec(t) ?? /^'(.*)'$/s.exec(t);
  if (quoted) return quoted[1];
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return t;
}

/** `P99(duration_ms)`, `COUNT`, `name=AVG(x)` -> a calculation. */
export function parseCalc(text: string): { op: CalculationOp; column?: string; name?: string } {
  const m = /^\s*(?:([^=()]+?)\s*=\s*)?([A-Za-z_0-9]+)\s*(?:\((.*)\))?\s*$/s.exec(text);
  const op = m?.[2].toUpperCase() as CalculationOp | undefined;
  if (!m || !op || !CALCULATION_OPS.includes(op)) {
    throw new Error(`--calc "${text}": write OP or OP(column), optionally NAME=OP(column); OP is one of ${CALCULATION_OPS.join(', ')}`);
  }
  const column = m[3]?.trim();
  return { op, ...(column ? { column } : {}), ...(m[1] ? { name: m[1].trim() } : {}) };
}

/**
 * `status_code >= 500`, `endpoint starts-with /api`, `region in a,b`, `error exists` -> a filter.
 * The column is the first word (or a "quoted" name with spaces), then the operator, then the value.
 */
export function parseWhere(text: string): { column: string; op: (typeof FILTER_OPS)[number]; value?: Scalar | Scalar[] } {
  const m = /^\s*("(?:[^"]|"")+"|[^\s<>=!]+)\s*(>=|<=|!=|=|>|<|[a-z-]+(?=\s|$))\s*(.*?)\s*$/s.exec(text);
  const op = m?.[2] as (typeof FILTER_OPS)[number] | undefined;
  if (!m || !op || !FILTER_OPS.includes(op)) {
    throw new Error(
      `--where "${text}": write COLUMN OP VALUE, e.g. 'status_code >= 500', 'endpoint starts-with /api', 'region in us-east-1,eu-west-1' or 'error exists'; OP is one of ${FILTER_OPS.join(' ')}`,
    );
  }
  const column = m[1].startsWith('"') ? m[1].slice(1, -1).replaceAll('""', '"') : m[1];
  const rest = m[3];
  if (UNARY.has(op)) {
    if (rest) throw new Error(`--where "${text}": ${op} takes no value`);
    return { column, op };
  }
  if (!rest) throw new Error(`--where "${text}": ${op} needs a value`);
  if (LISTS.has(op)) return { column, op, value: rest.split(',').map(parseValue) };
  // Text operators compare text: `contains 500` looks for the characters 500.
  return { column, op, value: TEXT_OPS.has(op) ? String(parseValue(rest)) : parseValue(rest) };
}

/** `COUNT > 100`, `P99(duration_ms) >= 250` -> a having. */
export function parseHaving(text: string): NonNullable<QuerySpec['havings']>[number] {
  const m = /^(.+?)\s*(>=|<=|!=|=|>|<)\s*(\S+)$/s.exec(text.trim());
  const value = m ? Number(m[3]) : NaN;
  if (!m || !HAVING_OPS.includes(m[2] as (typeof HAVING_OPS)[number]) || Number.isNaN(value)) {
    throw new Error(`--having "${text}": write CALC OP NUMBER, e.g. 'COUNT > 100' or 'P99(duration_ms) >= 250'`);
  }
  const calc = parseCalc(m[1]);
  return { calculate_op: calc.op, ...(calc.column ? { column: calc.column } : {}), op: m[2] as (typeof HAVING_OPS)[number], value };
}

/** `COUNT desc`, `P99(duration_ms)`, `endpoint asc` -> an order; a calculation when it reads as one. */
export function parseOrder(text: string): NonNullable<QuerySpec['orders']>[number] {
  const m = /^(.+?)(?:\s+(asc|ascending|desc|descending))?$/is.exec(text.trim());
  if (!m) throw new Error(`--order "${text}": write CALC or COLUMN, then asc or desc`);
  const dir = m[2]?.toLowerCase();
  const order = dir?.startsWith('asc') ? 'ascending' : dir?.startsWith('desc') ? 'descending' : undefined;
  try {
    const calc = parseCalc(m[1]);
    return { op: calc.op, ...(calc.column ? { column: calc.column } : {}), order: order ?? 'descending' };
  } catch {
    return { column: m[1].trim(), order: order ?? 'ascending' };
  }
}

/** `name=EXPRESSION` -> a calculated field. */
export function parseField(text: string): { name: string; expression: string } {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) throw new Error(`--field "${text}": write NAME=EXPRESSION, e.g. 'slow=GT($duration_ms, 1000)'`);
  return { name: text.slice(0, at).trim(), expression: text.slice(at + 1).trim() };
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a whole number of at least 1, got "${text}"`);
  return n;
}

/** The Honeycomb Query Specification the flags describe. COUNT when no --calc is given. */
export function specFromFlags(flags: QueryFlags, nowMs = Date.now()): Spec {
  if (flags.last && (flags.start || flags.end)) throw new Error('--last cannot be combined with --start/--end');
  const spec: Spec = { calculations: (flags.calc?.length ? flags.calc : ['COUNT']).map(parseCalc) };
  if (flags.where?.length) {
    spec.filters = flags.where.map(parseWhere);
    if (flags.any) spec.filter_combination = 'OR';
  }
  const by = flags.by?.flatMap((b) => b.split(',')).map((b) => b.trim()).filter(Boolean);
  if (by?.length) spec.breakdowns = by;
  if (flags.order?.length) spec.orders = flags.order.map(parseOrder);
  if (flags.having?.length) spec.havings = flags.having.map(parseHaving);
  if (flags.field?.length) spec.calculated_fields = flags.field.map(parseField);
  if (flags.limit) spec.limit = positiveInt(flags.limit, '--limit');
  if (flags.last) spec.time_range = parseDuration(flags.last, '--last');
  if (flags.start) spec.start_time = parseTimeArg(flags.start, '--start', nowMs);
  if (flags.end) spec.end_time = parseTimeArg(flags.end, '--end', nowMs);
  // Up to now: the end of the current second, so the window holds every event acknowledged before the command ran.
  if (flags.start && !flags.end) spec.end_time = Math.floor(nowMs / 1000) + 1;
  if (flags.granularity) spec.granularity = /^\d+$/.test(flags.granularity) ? positiveInt(flags.granularity, '--granularity') : parseDuration(flags.granularity, '--granularity');
  return spec;
}
