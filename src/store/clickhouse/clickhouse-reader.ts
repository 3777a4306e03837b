// Running a read on ClickHouse, with its errors turned into the engine-neutral ones of
// ../errors.ts. The time limit is kept twice: ClickHouse's max_execution_time stops the query
// on the server, and an abort stops waiting for it at the exact millisecond.
import type { ClickHouseClient } from '@clickhouse/client';
import { BadValueError, ReadTimeoutError, UnknownColumnError } from '../errors.js';
import type { ReadOptions } from '../event-store.js';
import type { Row } from '../meta-store.js';

/** ClickHouse error codes of values the request asked for that cannot be computed. */
const BAD_VALUE_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  153, // ILLEGAL_DIVISION
  407, // DECIMAL_OVERFLOW
  427, // CANNOT_COMPILE_REGEXP
]);
const TIMEOUT_EXCEEDED = 159;
const UNKNOWN_IDENTIFIER = 47;

export async function readRows(client: ClickHouseClient, sql: string, options: ReadOptions): Promise<Row[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    const rs = await client.query({
      query: sql,
      format: 'JSON',
      abort_signal: abort.signal,
      clickhouse_settings: { max_execution_time: Math.max(1, Math.ceil(options.timeoutMs / 1000)) },
    });
    const { meta, data, totals } = await rs.json<Row>();
    // A statement WITH TOTALS answers its totals row last (the one for all the rows grouped).
    if (totals) data.push(totals);
    // UInt8 is what ClickHouse answers where DuckDB answers BOOLEAN: boolean columns (stored
    // as UInt8) and comparisons. Tend's other numbers are Int64, Float64 or UInt64.
    const flags = (meta ?? []).filter((m) => /^(Nullable\()?UInt8\)?$/.test(m.type)).map((m) => m.name);
    if (flags.length > 0) for (const row of data) for (const f of flags) if (row[f] !== null) row[f] = row[f] === 1;
    return data;
  } catch (err) {
    throw engineError(err, abort.signal.aborted, options.timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/** ClickHouse's error -> the engine-neutral error it means; other errors pass unchanged. */
export function engineError(err: unknown, aborted: boolean, timeoutMs: number): unknown {
  if (aborted) return new ReadTimeoutError(timeoutMs);
  const message = err instanceof Error ? err.message : String(err);
  // 18.16 answers "Code: 47, e.displayText() = DB::Exception: ..."; newer releases "Code: 47. DB::Exception: ...".
  const code = Number((err as { code?: string }).code ?? /Code: (\d+)/.exec(message)?.[1]);
  if (code === TIMEOUT_EXCEEDED) return new ReadTimeoutError(timeoutMs);
  if (BAD_VALUE_CODES.has(code)) return new BadValueError(message.split('\n')[0]);
  if (code === UNKNOWN_IDENTIFIER) {
    const column = /Unknown identifier: `?((?:[^`,\\]|\\.)*)`?/.exec(message);
    if (column) return new UnknownColumnError(column[1].replace(/\\(.)/g, '$1'));
  }
  return err;
}
