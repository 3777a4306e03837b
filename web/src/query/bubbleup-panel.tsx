// BubbleUp: the selected events against the rest, column by column (most different first),
// each value's share of the selection and of the baseline as side-by-side bars. Clicking a
// value adds it to the query as a filter.
import { useQuery } from '@tanstack/react-query';
import { post } from '../app/api';
import type { BubbleUpRequest, BubbleUpResult, ColumnDifference, Filter, QuerySpec } from '../app/api-types';
import { ErrorNote } from '../app/error-note';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { useColumns } from './columns';
import { queryLink } from './spec-url';

export interface Selection {
  start: number;
  end: number;
  column?: string;
  min?: number;
  max?: number;
}

/** A value BubbleUp shows -> the filters that select it ("[10, 20)" is a bin of a number column). */
export function valueFilters(column: string, value: string | null, type: string | undefined): Filter[] {
  if (value === null) return [{ column, op: 'does-not-exist' }];
  const bin = /^\[(-?[\d.e+-]+), (-?[\d.e+-]+)([)\]])$/.exec(value);
  if (bin) return [{ column, op: '>=', value: Number(bin[1]) }, { column, op: bin[3] === ']' ? '<=' : '<', value: Number(bin[2]) }];
  const typed = type === 'integer' || type === 'float' ? Number(value) : type === 'boolean' ? value === 'true' : value;
  return [{ column, op: '=', value: typed }];
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function ColumnBars({ c, onPick }: { c: ColumnDifference; onPick(value: string | null): void }) {
  return (
    <div className="bubble-column">
      <h3>
        {c.column} <span className="muted">difference {c.score.toFixed(3)}</span>
      </h3>
      <ul>
        {c.values.map((v) => (
          <li key={String(v.value)}>
            <button type="button" className="bubble-value" onClick={() => onPick(v.value)} title={`add ${c.column} = ${v.value ?? '(missing)'} as a filter`}>
              <span className="value-name">{v.value ?? '(missing)'}</span>
              <span className="bars" aria-label={`selection ${pct(v.selection)}, baseline ${pct(v.baseline)}`}>
                <span className="bar selection" style={{ width: pct(v.selection) }} />
                <span className="bar baseline" style={{ width: pct(v.baseline) }} />
              </span>
              <span className="shares">
                {pct(v.selection)} / {pct(v.baseline)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function BubbleUpPanel({ dataset, spec, selection, onAddFilters, onClose }: { dataset: string; spec: QuerySpec; selection: Selection; onAddFilters(f: Filter[]): void; onClose(): void }) {
  const { environment } = useSession();
  const columns = useColumns(dataset);
  const types = new Map((columns.data ?? []).map((c) => [c.key_name, c.type]));
  const request: BubbleUpRequest = {
    baseline: { filters: spec.filters, filter_combination: spec.filter_combination, calculated_fields: spec.calculated_fields, time_range: spec.time_range, start_time: spec.start_time, end_time: spec.end_time },
    selection: { start_time: selection.start, end_time: selection.end, column: selection.column, min: selection.min, max: selection.max },
    top: 8,
  };
  const answer = useQuery({
    queryKey: ['bubbleup', environment, dataset, JSON.stringify(request)],
    queryFn: () => post<BubbleUpResult>(`/api/v1/bubbleup/${encodeURIComponent(dataset)}`, request),
  });
  const range = `${new Date(selection.start * 1000).toLocaleTimeString()}–${new Date(selection.end * 1000).toLocaleTimeString()}${selection.column ? `, ${selection.column} ${selection.min?.toPrecision(3)}–${selection.max?.toPrecision(3)}` : ''}`;
  return (
    <section className="bubbleup panel" aria-label="BubbleUp">
      <div className="row">
        <h2>BubbleUp: {range}</h2>
        {answer.data && (
          <span className="muted">
            {answer.data.selection.count} selected against {answer.data.baseline.count} baseline events
          </span>
        )}
        <span className="legend-key">
          <span className="bar selection" /> selection <span className="bar baseline" /> baseline
        </span>
        <Link to={queryLink(dataset, { ...spec, time_range: undefined, start_time: selection.start, end_time: selection.end }, 'traces')}>Slowest traces in this range</Link>
        <button type="button" onClick={onClose}>
          Close BubbleUp
        </button>
      </div>
      <ErrorNote error={answer.error} what="BubbleUp failed" />
      {answer.isPending && <p className="loading">Comparing…</p>}
      <div className="bubble-grid">
        {answer.data?.columns.map((c) => (
          <ColumnBars key={c.column} c={c} onPick={(v) => onAddFilters(valueFilters(c.column, v, types.get(c.column)))} />
        ))}
      </div>
    </section>
  );
}
