// The URL holds the whole query: /query/:dataset?spec=<URL-encoded JSON of the specification>.
// Pages that show the same query another way (raw events, traces) take the same parameter.
import type { QuerySpec } from '../app/api-types';

export const specParam = (spec: QuerySpec) => encodeURIComponent(JSON.stringify(spec));

export const queryLink = (dataset: string, spec: QuerySpec, page: 'query' | 'events' | 'traces' = 'query') =>
  `/${page}/${encodeURIComponent(dataset)}?spec=${specParam(spec)}`;

export const DEFAULT_SPEC: QuerySpec = { calculations: [{ op: 'COUNT' }], time_range: 7200 };

/** The spec in ?spec=, or the default; a spec that is not JSON is reported, not thrown. */
export function specFromSearch(search: URLSearchParams): { spec: QuerySpec; problem?: string } {
  const raw = search.get('spec');
  if (!raw) return { spec: DEFAULT_SPEC };
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { spec: DEFAULT_SPEC, problem: 'the spec in the link is not a JSON object' };
    return { spec: parsed as QuerySpec };
  } catch {
    return { spec: DEFAULT_SPEC, problem: 'the spec in the link is not valid JSON' };
  }
}

/** The window a spec covers, in Unix seconds, as the server computes it (ending now by default). */
export function windowOf(spec: QuerySpec, now = Math.ceil(Date.now() / 1000)): { start: number; end: number } {
  if (spec.start_time != null && spec.end_time != null) return { start: spec.start_time, end: spec.end_time };
  const range = spec.time_range ?? 7200;
  if (spec.start_time != null) return { start: spec.start_time, end: spec.start_time + range };
  const end = spec.end_time ?? now;
  return { start: end - range, end };
}
