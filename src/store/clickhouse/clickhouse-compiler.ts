// ClickHouse's SQL where it differs from the default compiler (../sql-compiler.ts), kept to what
// Debian's ClickHouse 18.16 runs as well as current releases:
//  - values: 18.16 has no query parameters ({name:Type} came in 19.x), so each bound value is
//    written into the text as a literal by placeholder(), escaped the one way ClickHouse reads
//    string literals (backslash and quote); numbers are written by JavaScript, never from text;
//  - times: events keep `__time` as Int64 microseconds since the epoch (no DateTime64 in 18.16),
//    so a timestamp is a plain integer and epochMicros() is the column itself;
//  - every user column is Nullable, so casts are to Nullable types;
//  - LIKE has no ESCAPE clause: startsWith/endsWith/position instead; re2 match()/extract().
import type { CompileOptions, QueryPlan } from '../../query/index.js';
import { SqlCompiler, type CastType, type StatementParts } from '../sql-compiler.js';
import { clickHouseQuery } from './clickhouse-query.js';

const TYPES: Record<CastType, string> = {
  string: 'Nullable(String)',
  integer: 'Nullable(Int64)',
  float: 'Nullable(Float64)',
  boolean: 'Nullable(UInt8)',
  null: 'Nullable(String)',
  timestamp: 'Nullable(Int64)',
  int32: 'Nullable(Int32)',
};

/** A string literal ClickHouse reads back as exactly `s`. */
export function stringLiteral(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** A value bound by the compiler, written as a ClickHouse literal. */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? stringLiteral(String(value)) : String(value);
  }
  if (typeof value === 'bigint') return String(value);
  return stringLiteral(String(value));
}

/** Quotes a name for ClickHouse: backticks, with backslash and backtick escaped. Case is kept. */
export function clickHouseIdent(name: string): string {
  return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
}

/** The compiler for the ClickHouse event store. */
export class ClickHouseCompiler extends SqlCompiler {
  /** Nested subqueries instead of compile.ts's CTEs (clickhouse-query.ts). */
  override queryStatement(plan: QueryPlan, source: string, options: CompileOptions, parts: StatementParts): string {
    return clickHouseQuery(this, plan, source, options, parts);
  }

  /**
   * BubbleUp without CTEs or window functions: the sample is read once (ORDER BY rand() would
   * draw another one if read twice), unpivoted with ARRAY JOIN, counted per key and value, then
   * folded per key into an array of (value, counts) so the key's totals come from the same
   * rows; LIMIT BY keeps the top values of each key, and its NULL.
   */
  override valueSharesStatement(sampled: string, picked: string, keys: string[], top: number): string {
    const id = (n: string) => this.ident(n);
    const [k, v, s, b, w, sel, r] = ['k', 'v', 's', 'b', 'w', 'sel', 'r'].map(id);
    const pairs = keys.map((key) => `tuple(${stringLiteral(key)}, ${id(key)})`).join(', ');
    const long = `(SELECT ${sel}, ${w}, tupleElement(${id('kv')}, 1) AS ${k}, tupleElement(${id('kv')}, 2) AS ${v} FROM (SELECT ${picked} FROM (${sampled})) ARRAY JOIN [${pairs}] AS ${id('kv')})`;
    const counts = `(SELECT ${k}, ${v}, sum(if(${sel}, ${w}, 0)) AS ${s}, sum(if(${sel}, 0, ${w})) AS ${b} FROM ${long} GROUP BY ${k}, ${v})`;
    // groupArray skips NULLs: each value travels in a tuple, which is never NULL itself.
    const perKey = `(SELECT ${k}, groupArray(tuple(${v}, ${s}, ${b})) AS ${id('rows')}, sum(${s}) AS ${id('st')}, sum(${b}) AS ${id('bt')} FROM ${counts} GROUP BY ${k})`;
    const share = (x: string, total: string) => `${x} / nullIf(${id(total)}, 0)`;
    const cols = [k, `tupleElement(${r}, 1) AS ${v}`, `${share(`tupleElement(${r}, 2)`, 'st')} AS ${id('ps')}`, `${share(`tupleElement(${r}, 3)`, 'bt')} AS ${id('pb')}`, `isNull(${v}) AS ${id('none')}`];
    return `SELECT ${k}, ${v}, ${id('ps')}, ${id('pb')} FROM (SELECT ${cols.join(', ')} FROM ${perKey} ARRAY JOIN ${id('rows')} AS ${r}
      ORDER BY ${k}, ${id('none')}, ${id('ps')} + ${id('pb')} DESC, ${v} LIMIT ${Math.trunc(top)} BY ${k}, ${id('none')})`;
  }

  override ident(name: string): string {
    return clickHouseIdent(name);
  }

  override sqlType(type: CastType): string {
    return TYPES[type];
  }

  /** The literal of params[n - 1]: 18.16 takes no parameters (see the top of the file). */
  override placeholder(n: number): string {
    return literal(this.params[n - 1]);
  }

  override bool(value: boolean): string {
    return value ? '1' : '0';
  }

  /** A bare whole number: LIMIT takes no expression, not even a cast (its type is the smallest that holds it). */
  override int(n: number): string {
    return this.bind(Math.trunc(n));
  }

  /**
   * A bare integer: a Nullable cast in the time bound keeps ClickHouse from using the primary
   * key and the day partitions (measured: the whole statement twice as slow).
   */
  override timestamp(us: number): string {
    return this.int(us);
  }

  /** Times are after 1970, so integer division is the floor. */
  override timeBucket(granularityUs: number): string {
    const g = this.int(granularityUs);
    return `intDiv(${this.timeColumn}, ${g}) * ${g}`;
  }

  override epochMicros(ts: string): string {
    return ts;
  }

  override floorDiv(a: string, b: string): string {
    return `toInt64(floor(${a} / ${b}))`;
  }

  override sameValue(a: string, b: string): string {
    return `((${a} = ${b}) OR (isNull(${a}) AND isNull(${b})))`;
  }

  override percentile(a: string, q: number): string {
    // Nearest rank: the ceil(q * n)-th smallest non-null value. quantileExact picks the
    // floor(q * n)-th, one too far whenever q * n is whole.
    const sorted = `arraySort(groupArray(${a}))`;
    return `if(count(${a}) = 0, NULL, arrayElement(${sorted}, toUInt64(greatest(1, ceil(${q} * count(${a}))))))`;
  }

  override countDistinct(a: string): string {
    return `uniqExact(${a})`;
  }

  override collectPairs(i: string, n: string): string {
    return `arrayStringConcat(groupArray(concat(toString(${i}), ':', toString(${n}))), ',')`;
  }

  override bucketStarts(s: string, e: string, granularityUs: number): string {
    // 18.16's range() takes only a length, and no Nullable: the bucket starts are first + k * g,
    // with g the plan's checked whole number written as is (a cast parameter would be Nullable).
    const g = String(Math.trunc(granularityUs));
    const first = `(${this.floorDiv(s, g)} * ${g})`;
    // The caller keeps only spans with an end.
    return `arrayJoin(arrayMap(k -> ${first} + toInt64(k) * ${g}, range(toUInt64(intDiv(assumeNotNull(${e}) - 1 - ${first}, ${g}) + 1))))`;
  }

  override approxCountDistinct(a: string): string {
    return `uniq(${a})`;
  }

  override approxQuantiles(a: string, qs: number[]): string {
    return `quantiles(${qs.join(', ')})(${a})`;
  }

  override sample(select: string, rows: number): string {
    return `SELECT * FROM (${select}) ORDER BY rand() LIMIT ${this.int(rows)}`;
  }

  override tryCast(a: string, type: CastType): string {
    const text = `toString(${a})`;
    if (type === 'integer' || type === 'int32') return `toInt64OrNull(${text})`;
    if (type === 'float') return `toFloat64OrNull(${text})`;
    if (type === 'timestamp') return `parseDateTimeBestEffortOrNull(${text})`;
    return this.cast(a, type);
  }

  override startsWith(a: string, b: string): string {
    return `(substring(${a}, 1, length(${b})) = ${b})`;
  }

  override endsWith(a: string, b: string): string {
    return `(length(${a}) >= length(${b}) AND substring(${a}, length(${a}) - length(${b}) + 1) = ${b})`;
  }

  override contains(a: string, b: string): string {
    return `(position(${a}, ${b}) > 0)`;
  }

  override regexMatch(a: string, pattern: string): string {
    return `match(${a}, ${pattern})`;
  }

  override regexValue(a: string, pattern: string, _group: number): string {
    // extract() answers the first group when the pattern has one, else the whole match, and "" for no match.
    return `extract(${a}, ${pattern})`;
  }

  override bucket(a: string[]): string {
    // The default's LEAST/GREATEST: ClickHouse knows these names in lower case only.
    // 18.16's greatest/least take no mix of Float64 and Int64: the bounds are read as floats.
    const lower = `(floor(${a[0]} / ${a[1]}) * ${a[1]})`;
    if (a.length < 3) return lower;
    const clampLow = `greatest(${lower}, toFloat64(${a[2]}))`;
    return a.length < 4 ? clampLow : `least(${clampLow}, toFloat64(${a[3]}))`;
  }

  override call(...args: Parameters<SqlCompiler['call']>): string {
    const [fn, exprs] = args;
    const a = () => exprs.map((x) => this.expr(x));
    switch (fn) {
      case 'unix_timestamp': return `toFloat64(toUnixTimestamp(${this.tryCast(a()[0], 'timestamp')}))`;
      case 'event_time': return `(toFloat64(${this.timeColumn}) / 1000000)`;
      case 'length': return `lengthUTF8(${a()[0]})`;
      case 'byte_length': return `length(${a()[0]})`;
      // Booleans read as true/false, as DuckDB's casts write them (UInt8 would give 1/0).
      case 'to_string': return exprs[0].type === 'boolean' ? `if(isNull(${a()[0]}), NULL, if(assumeNotNull(${a()[0]}), 'true', 'false'))` : `toString(${a()[0]})`;
      // 18.16 divides by the zeros under a NULL mask too: divide by 1 there, then answer NULL.
      case 'mod': {
        const [x, y] = a();
        return `if(ifNull(${y} = 0, 0), NULL, ${x} % ifNull(nullIf(${y}, 0), 1))`;
      }
      case 'to_int': return `toInt64OrNull(toString(trunc(${this.tryCast(a()[0], 'float')})))`;
      // 18.16's least() and greatest() take two arguments of one kind of number: fold longer
      // lists, floats made of every argument when the answer is a float.
      case 'least': case 'greatest': {
        const xs = args[2] === 'float' ? a().map((x) => `toFloat64(${x})`) : a();
        return xs.reduce((x, y) => `${fn}(${x}, ${y})`);
      }
    }
    return super.call(...args);
  }
}
