// One chart point picked by a click: its time bucket and group, with links to the slowest traces
// and the raw events of exactly that bucket and group (the query's filters plus the group's
// breakdown values, the window narrowed to the bucket).
import type { QuerySpec } from '../app/api-types';
import { formatNumber, Time } from '../app/format';
import { Link } from '../app/router';
import type { ChartPoint } from './chart';
import { groupFilters } from './results-table';
import { queryLink } from './spec-url';

export interface PointLinksProps {
  dataset: string;
  spec: QuerySpec;
  point: ChartPoint;
  calc: string;
  breakdowns: string[];
  /** The bucket's length, seconds. */
  granularity: number;
  onClose(): void;
}

/** The query narrowed to one bucket of one group. */
export function pointSpec(spec: QuerySpec, point: ChartPoint, breakdowns: string[], granularity: number): QuerySpec {
  return {
    ...spec,
    filters: [...(spec.filters ?? []), ...groupFilters(breakdowns, point.group.keys)],
    filter_combination: 'AND',
    time_range: undefined,
    start_time: point.time,
    end_time: point.time + granularity,
  };
}

export function PointLinks({ dataset, spec, point, calc, breakdowns, granularity, onClose }: PointLinksProps) {
  const narrowed = pointSpec(spec, point, breakdowns, granularity);
  return (
    <div className="panel row point-links" role="region" aria-label="Chart point">
      <span>
        {calc} = {formatNumber(point.value)} for <strong>{point.group.label}</strong> at <Time at={point.time * 1000} /> ({granularity} s)
      </span>
      <Link to={queryLink(dataset, narrowed, 'traces')}>Slowest traces of this point</Link>
      <Link to={queryLink(dataset, narrowed, 'events')}>Its events</Link>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
