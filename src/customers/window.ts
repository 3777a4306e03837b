// The window a customer page or list covers, as the request gives it: `window=15m` (ending now),
// or `start` and `end` (Unix seconds or RFC3339). Answered in whole seconds, [start, end), the
// way the query engine takes time.
import { parseDuration } from '../alerts/index.js';
import { badRequest, parseTimeParam } from '../http/index.js';
import { QUERY_LIMITS } from '../query/index.js';

export interface Window {
  start_time: number;
  end_time: number;
}

export const DEFAULT_WINDOW = '1h';

const timeParam = (raw: string, field: string) => Math.floor(parseTimeParam(raw, field) / 1000);

/** `window` (default 1h) or `start`+`end`; 400 naming the field when neither reads. */
export function parseWindow(q: { window?: string; start?: string; end?: string }, nowMs = Date.now()): Window {
  if (q.start !== undefined && q.window !== undefined) throw badRequest('window: give window or start, not both');
  const given = q.start !== undefined ? timeParam(q.start, 'start') : undefined;
  const end = q.end !== undefined ? timeParam(q.end, 'end') : Math.floor(nowMs / 1000) + 1;
  let start: number;
  if (given !== undefined) start = given;
  else {
    const ms = parseDuration(q.window ?? DEFAULT_WINDOW);
    if (ms === undefined || ms < 1000) throw badRequest(`window: "${q.window}" is not a duration such as 15m, 6h or 7d`);
    start = end - Math.round(ms / 1000);
  }
  if (end <= start) throw badRequest('end: must be after start');
  if (end - start > QUERY_LIMITS.maxTimeRangeSeconds) throw badRequest(`window: at most ${QUERY_LIMITS.maxTimeRangeSeconds / 86_400} days`);
  return { start_time: start, end_time: end };
}
