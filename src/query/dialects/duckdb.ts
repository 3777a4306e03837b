// DuckDB's SQL where it differs from the default compiler: case-preserving identifiers, native
// epoch and integer-division functions, starts_with/suffix/contains instead of escaped LIKE
// patterns, RE2 regex functions.
import { quoteIdent } from '../../store/index.js';
import { SqlCompiler } from './base.js';

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

  override call(...args: Parameters<SqlCompiler['call']>): string {
    const [fn, exprs] = args;
    if (fn === 'unix_timestamp') return `epoch(${this.tryCast(this.expr(exprs[0]), 'timestamp')})`;
    if (fn === 'length') return `length(${this.expr(exprs[0])})`;
    if (fn === 'byte_length') return `strlen(${this.expr(exprs[0])})`;
    return super.call(...args);
  }
}
