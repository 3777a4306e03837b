// A time in a request's query string: Unix seconds, or an ISO 8601 / RFC3339 time with a zone
// (`2026-12-12T18:00Z`, seconds optional). Future times are kept as given (plans look ahead).
import { badRequest } from './errors.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Unix ms; 400 naming `field` when the text is neither form. */
export function parseTimeParam(raw: string, field: string): number {
  const s = raw.trim();
  const ms = /^\d{1,11}(\.\d+)?$/.test(s) ? Number(s) * 1000 : ISO.test(s) ? Date.parse(s.toUpperCase()) : NaN;
  if (!Number.isFinite(ms)) throw badRequest(`${field}: "${raw}" is not a time: give Unix seconds or ISO 8601 with a zone (2026-12-12T18:00Z)`);
  return ms;
}
