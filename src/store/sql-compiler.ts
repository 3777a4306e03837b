// The default SQL compiler: turns the query layer's expressions and statement pieces into SQL
// text plus parameters. Like Kysely's DefaultQueryCompiler, it writes portable SQL, and each
// engine's compiler (store/<engine>/<engine>-compiler.ts) subclasses it and overrides only the
// hooks where its SQL differs: placeholders, quoting, engine-only functions (sampling,
// unpivoting, series), casts. The store hands out its own compiler (EventStore.compiler()), so
// nothing above the store names an engine. Every identifier goes through ident() and every
// value through param(): nothing from a request is ever pasted into SQL text.
import type { CompileOptions, Expr, Fn, Literal, QueryPlan, TimeWindow, ValueType } from '../query/index.js';
import { SAMPLERATE_COLUMN, TIME_COLUMN } from './types.js';

/** Types a compiler casts to: the value types, plus a timestamp and a 32-bit integer for small keys. */
export type CastType = ValueType | 'timestamp' | 'int32';

/** What query/compile.ts hands an engine writing the whole aggregate statement itself. */
export interface StatementParts {
  /** `<time bound> AND <filters>`, compiled when called. */
  where(): string;
  /** How many groups (the first in order) get a series. */
  seriesGroups: number;
  /** Buckets of a HEATMAP between its minimum and maximum. */
  heatmapBuckets: number;
}

/** The default (portable) compiler; one instance compiles one statement and holds its parameters. */
export class SqlCompiler {
  /** Parameters in order; `$n` in the SQL is params[n - 1]. */
  readonly params: unknown[] = [];

  /**
   * The whole aggregate statement of a query, for an engine whose SQL cannot take the shape
   * query/compile.ts gives it (ClickHouse 18.16 has no common table expressions, window
   * functions or GROUPING SETS); undefined, as here, keeps that shape.
   */
  queryStatement(_plan: QueryPlan, _source: string, _options: CompileOptions, _parts: StatementParts): string | undefined {
    return undefined;
  }

  /**
   * BubbleUp's statement (query/bubbleup.ts) for an engine that cannot take its shape: from
   * `sampled` (rows of both sides), `picked` (the select list of `sel`, `w` and the columns
   * `keys` holding each value as text), rows of k (a key), v (a value), ps and pb (its shares of
   * the selection's and the baseline's weight): the `top` values of each key by ps + pb, and its
   * NULL. Undefined, as here, keeps query/bubbleup.ts's statement.
   */
  valueSharesStatement(_sampled: string, _picked: string, _keys: string[], _top: number): string | undefined {
    return undefined;
  }

  ident(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  }

  sqlType(type: CastType): string {
    return { string: 'VARCHAR', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN', null: 'VARCHAR', timestamp: 'TIMESTAMP', int32: 'INTEGER' }[type];
  }

  /** How the SQL text refers to params[n - 1]. */
  placeholder(n: number): string {
    return `$${n}`;
  }

  /** Adds a parameter and answers its placeholder. */
  protected bind(value: unknown): string {
    this.params.push(value);
    return this.placeholder(this.params.length);
  }

  cast(a: string, type: CastType): string {
    return `CAST(${a} AS ${this.sqlType(type)})`;
  }

  /** A typed NULL, so CASE branches and unions agree on the type. */
  nullOf(type: CastType): string {
    return this.cast('NULL', type);
  }

  bool(value: boolean): string {
    return value ? 'TRUE' : 'FALSE';
  }

  /** A value as a typed parameter; the cast fixes the type whatever the driver binds. */
  param(value: Literal, type?: ValueType): string {
    if (value === null) return this.nullOf(type ?? 'null');
    // Drivers bind whole JS numbers as 64-bit integers: larger ones travel as text (the cast reads them).
    const p = this.bind(typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) ? String(value) : value);
    const t = type ?? (typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : Number.isSafeInteger(value) ? 'integer' : 'float');
    return this.cast(p, t);
  }

  /** A whole number that shapes the query (granularity, limit), still passed as a parameter. */
  int(n: number): string {
    return this.param(Math.trunc(n), 'integer');
  }

  /** A timestamp parameter for `us` microseconds since the epoch. */
  timestamp(us: number): string {
    return this.cast(this.bind(isoMicros(us)), 'timestamp');
  }

  get timeColumn(): string {
    return this.ident(TIME_COLUMN);
  }

  get weightColumn(): string {
    return this.ident(SAMPLERATE_COLUMN);
  }

  /** Microseconds since the epoch of a TIMESTAMP expression, as a BIGINT. */
  epochMicros(ts: string): string {
    return `CAST(EXTRACT(EPOCH FROM ${ts}) * 1000000 AS BIGINT)`;
  }

  /** Integer division rounding down. */
  floorDiv(a: string, b: string): string {
    return `CAST(FLOOR(${a} / ${b}) AS BIGINT)`;
  }

  /** The start (µs) of the granularity bucket holding the event, aligned to epoch multiples. */
  timeBucket(granularityUs: number): string {
    const g = this.int(granularityUs);
    return `${this.floorDiv(this.epochMicros(this.timeColumn), g)} * ${g}`;
  }

  /** The time bound every event read has. */
  timeRange(window: TimeWindow): string {
    return `${this.timeColumn} >= ${this.timestamp(window.startUs)} AND ${this.timeColumn} < ${this.timestamp(window.endUs)}`;
  }

  /** `a IS NOT DISTINCT FROM b`: equality where null matches null (group keys). */
  sameValue(a: string, b: string): string {
    return `${a} IS NOT DISTINCT FROM ${b}`;
  }

  /** Exact nearest-rank percentile: the smallest value with at least q of the rows at or below it. */
  percentile(a: string, q: number): string {
    // q comes from the fixed percentile table (P99 -> 0.99), never from a request.
    return `percentile_disc(${q}) WITHIN GROUP (ORDER BY ${a})`;
  }

  countDistinct(a: string): string {
    return `count(DISTINCT ${a})`;
  }

  /** `i:n,i:n,...` of a group's pairs (heatmap bucket and count). */
  collectPairs(i: string, n: string): string {
    return `string_agg(CAST(${i} AS VARCHAR) || ':' || CAST(${n} AS VARCHAR), ',')`;
  }

  /** A select-list item giving one row per bucket start (µs) that the span [s, e) overlaps. */
  bucketStarts(s: string, e: string, granularityUs: number): string {
    const g = this.int(granularityUs);
    return `generate_series(${this.floorDiv(s, g)} * ${g}, ${e} - 1, ${g})`;
  }

  /** An approximate count of distinct values (exact where the engine has no estimator). */
  approxCountDistinct(a: string): string {
    return this.countDistinct(a);
  }

  /** The values at these quantiles, as one array (approximate where the engine can). */
  approxQuantiles(a: string, qs: number[]): string {
    // qs come from a fixed list in the caller, never from a request.
    return `ARRAY[${qs.map((q) => `percentile_disc(${q}) WITHIN GROUP (ORDER BY ${a})`).join(', ')}]`;
  }

  /** At most `rows` rows drawn uniformly from a SELECT. */
  sample(select: string, rows: number): string {
    return `SELECT * FROM (${select}) ${this.ident('sampled_from')} ORDER BY random() LIMIT ${this.int(rows)}`;
  }

  /**
   * Long form of `relation`: for each of its rows, one row per column of `columns` holding
   * `keep`, the column's name in `key` and its value (nulls included) in `value`.
   */
  unpivot(relation: string, keep: string[], columns: string[], key: string, value: string): string {
    return columns.map((c) => `SELECT ${[...keep, `'${c.replaceAll("'", "''")}' AS ${key}`, `${this.ident(c)} AS ${value}`].join(', ')} FROM ${relation}`).join(' UNION ALL ');
  }

  expr(e: Expr): string {
    switch (e.kind) {
      case 'column':
        return this.ident(e.name);
      case 'literal':
        return this.param(e.value, e.type);
      case 'call':
        return this.call(e.fn, e.args, e.type);
    }
  }

  /** A call of the plan's vocabulary in this dialect's SQL. */
  call(fn: Fn, args: Expr[], type: ValueType): string {
    // REG_VALUE's group number shapes the SQL; it is not a value to bind.
    const a = (fn === 'regex_value' ? args.slice(0, 2) : args).map((x) => this.expr(x));
    const infix = (op: string) => `(${a.join(` ${op} `)})`;
    switch (fn) {
      case 'eq': return infix('=');
      case 'ne': return infix('<>');
      case 'lt': return infix('<');
      case 'lte': return infix('<=');
      case 'gt': return infix('>');
      case 'gte': return infix('>=');
      case 'and': return infix('AND');
      case 'or': return infix('OR');
      case 'not': return `(NOT ${a[0]})`;
      case 'is_null': return `(${a[0]} IS NULL)`;
      case 'not_null': return `(${a[0]} IS NOT NULL)`;
      case 'in': return `(${a[0]} IN (${a.slice(1).join(', ')}))`;
      case 'starts_with': return this.startsWith(a[0], a[1]);
      case 'ends_with': return this.endsWith(a[0], a[1]);
      case 'contains': return this.contains(a[0], a[1]);
      case 'if': {
        let sql = 'CASE';
        for (let i = 0; i + 1 < a.length; i += 2) sql += ` WHEN ${a[i]} THEN ${a[i + 1]}`;
        return `${sql} ELSE ${a[a.length - 1]} END`;
      }
      case 'coalesce': return `COALESCE(${a.join(', ')})`;
      case 'nullif_empty': return `NULLIF(${a[0]}, '')`;
      case 'add': return infix('+');
      case 'sub': return infix('-');
      case 'mul': return infix('*');
      case 'div': return `(CAST(${a[0]} AS DOUBLE) / NULLIF(CAST(${a[1]} AS DOUBLE), 0))`;
      case 'mod': return `(${a[0]} % NULLIF(${a[1]}, 0))`;
      case 'least': return `LEAST(${a.join(', ')})`;
      case 'greatest': return `GREATEST(${a.join(', ')})`;
      case 'log10': return `LOG10(CASE WHEN ${a[0]} > 0 THEN ${a[0]} END)`;
      case 'to_int': return this.tryCast(`TRUNC(${this.tryCast(a[0], 'float')})`, 'integer');
      case 'to_float': return this.tryCast(a[0], 'float');
      case 'to_string': return `CAST(${a[0]} AS VARCHAR)`;
      case 'concat': return `(${a.map((x) => `COALESCE(${x}, '')`).join(' || ')})`;
      case 'lower': return `LOWER(${a[0]})`;
      case 'length': return `CHAR_LENGTH(${a[0]})`;
      case 'byte_length': return `OCTET_LENGTH(${a[0]})`;
      case 'regex_match': return this.regexMatch(a[0], a[1]);
      case 'regex_value': return this.regexValue(a[0], a[1], args[2].kind === 'literal' ? Number(args[2].value) : 0);
      case 'bucket': return this.bucket(a);
      case 'unix_timestamp': return `EXTRACT(EPOCH FROM ${this.tryCast(a[0], 'timestamp')})`;
      case 'event_time': return `(CAST(${this.epochMicros(this.timeColumn)} AS DOUBLE) / 1000000)`;
    }
    return unreachable(fn, type);
  }

  tryCast(a: string, type: CastType): string {
    const t = type === 'timestamp' ? 'TIMESTAMPTZ' : this.sqlType(type);
    return `TRY_CAST(${a} AS ${t})`;
  }

  startsWith(a: string, b: string): string {
    return `(${a} LIKE (${this.likeEscape(b)} || '%') ESCAPE '\\')`;
  }

  endsWith(a: string, b: string): string {
    return `(${a} LIKE ('%' || ${this.likeEscape(b)}) ESCAPE '\\')`;
  }

  contains(a: string, b: string): string {
    return `(${a} LIKE ('%' || ${this.likeEscape(b)} || '%') ESCAPE '\\')`;
  }

  private likeEscape(b: string): string {
    return `REPLACE(REPLACE(REPLACE(${b}, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;
  }

  regexMatch(a: string, pattern: string): string {
    return `(${a} ~ ${pattern})`;
  }

  /** The first capture group's match (`group` 1) or the whole match (`group` 0). */
  regexValue(a: string, pattern: string, _group: number): string {
    // SQL's SUBSTRING ... FROM already answers the first group when there is one.
    return `SUBSTRING(${a} FROM ${pattern})`;
  }

  /** BUCKET(v, size, [min, max]): the lower bound of v's bucket, clamped to [min, max]. */
  bucket(a: string[]): string {
    const lower = `(FLOOR(${a[0]} / ${a[1]}) * ${a[1]})`;
    if (a.length < 3) return lower;
    const clampLow = `GREATEST(${lower}, ${a[2]})`;
    return a.length < 4 ? clampLow : `LEAST(${clampLow}, ${a[3]})`;
  }
}

function unreachable(fn: never, type: ValueType): never {
  throw new Error(`no SQL for ${String(fn)} (${type})`);
}

/** ISO-8601 text with microseconds, which TIMESTAMP casts read in every dialect. */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // 2026-11-22T10:00:00.123Z
  const micros = String(Math.round(us - ms * 1000)).padStart(3, '0');
  return `${iso.slice(0, -1)}${micros}`;
}
