// DuckDB's SQL where it differs from the default compiler (../sql-compiler.ts): case-preserving
// identifiers, native epoch and integer-division functions, starts_with/suffix/contains instead
// of escaped LIKE patterns, RE2 regex functions, list-returning series, reservoir sampling,
// UNPIVOT and approximate aggregates.
import { SqlCompiler } from '../sql-compiler.js';
import { quoteIdent } from './partitions.js';

/** The compiler for the embedded DuckDB event store. */
export class DuckDbCompiler extends SqlCompiler {
  /** DuckDB ignores case in identifiers; the store's quoting keeps "Status" and "status" apart. */
  override ident(name: string): string {
    return quoteIdent(name);
  }

  override epochMicros(ts: string): string {
    return `epoch_us(${ts})`;
  }

  override floorDiv(a: string, b: string): string {
    return `(${a} // ${b})`;
  }

  override percentile(a: string, q: number): string {
    return `quantile_disc(${a}, ${q})`;
  }

  override startsWith(a: string, b: string): string {
    return `starts_with(${a}, ${b})`;
  }

  override endsWith(a: string, b: string): string {
    return `suffix(${a}, ${b})`;
  }

  override contains(a: string, b: string): string {
    return `contains(${a}, ${b})`;
  }

  override regexMatch(a: string, pattern: string): string {
    return `regexp_matches(${a}, ${pattern})`;
  }

  override regexValue(a: string, pattern: string, group: number): string {
    // Honeycomb answers "" when nothing matches; DuckDB's regexp_extract does the same.
    return `regexp_extract(${a}, ${pattern}, ${group})`;
  }

  /** generate_series answers a list in DuckDB: unnest makes it rows. */
  override bucketStarts(s: string, e: string, granularityUs: number): string {
    return `unnest(${super.bucketStarts(s, e, granularityUs)})`;
  }

  override approxCountDistinct(a: string): string {
    return `approx_count_distinct(${a})`;
  }

  override approxQuantiles(a: string, qs: number[]): string {
    return `approx_quantile(${a}, [${qs.join(', ')}])`;
  }

  override sample(select: string, rows: number): string {
    // The row count is a number the caller checked, part of the SQL: DuckDB takes no parameter here.
    return `SELECT * FROM (${select}) USING SAMPLE reservoir(${Math.trunc(rows)} ROWS) REPEATABLE (7)`;
  }

  override unpivot(relation: string, _keep: string[], columns: string[], key: string, value: string): string {
    // UNPIVOT keeps every other column of the relation, then the name, then the value, as the default does.
    return `FROM ${relation} UNPIVOT INCLUDE NULLS (${value} FOR ${key} IN (${columns.map((c) => this.ident(c)).join(', ')}))`;
  }

  override call(...args: Parameters<SqlCompiler['call']>): string {
    const [fn, exprs] = args;
    if (fn === 'unix_timestamp') return `epoch(${this.tryCast(this.expr(exprs[0]), 'timestamp')})`;
    if (fn === 'length') return `length(${this.expr(exprs[0])})`;
    if (fn === 'byte_length') return `strlen(${this.expr(exprs[0])})`;
    return super.call(...args);
  }
}
