// The query builder: every part of the specification (VISUALIZE, WHERE with AND/OR, GROUP BY,
// ORDER BY, HAVING, LIMIT, calculated fields, time and granularity), edited as a draft that
// runs with the Run button or Ctrl/Cmd+Enter.
import { useId, type ReactNode } from 'react';
import type { Calculation, CalculationOp, Filter, FilterOp, QuerySpec } from '../app/api-types';
import { ColumnInput, ColumnList } from './column-input';
import { useColumns, useRecentValues } from './columns';
import { TimePicker } from './time-picker';
import { CALCULATION_OPS, COLUMNLESS_OPS, FILTER_OPS, HAVING_OPS, LIST_FILTERS, UNARY_FILTERS, calculationKey } from './vocabulary';

type Having = NonNullable<QuerySpec['havings']>[number];
type Order = NonNullable<QuerySpec['orders']>[number];
type Field = NonNullable<QuerySpec['calculated_fields']>[number];

function Section({ title, onAdd, addLabel, children }: { title: string; onAdd?(): void; addLabel?: string; children: ReactNode }) {
  return (
    <fieldset className="clause">
      <legend>{title}</legend>
      {children}
      {onAdd && (
        <button type="button" className="add" onClick={onAdd}>
          {addLabel}
        </button>
      )}
    </fieldset>
  );
}

/** Replaces, removes or appends one item of a list field of the spec. */
function listOps<K extends 'calculations' | 'filters' | 'breakdowns' | 'orders' | 'havings' | 'calculated_fields'>(spec: QuerySpec, key: K, onChange: (s: QuerySpec) => void) {
  type Item = NonNullable<QuerySpec[K]>[number];
  const items = (spec[key] ?? []) as Item[];
  const put = (list: Item[]) => onChange({ ...spec, [key]: list });
  return {
    items,
    set: (i: number, item: Item) => put(items.map((x, j) => (j === i ? item : x))),
    remove: (i: number) => put(items.filter((_, j) => j !== i)),
    add: (item: Item) => put([...items, item]),
  };
}

function Remove({ label, onClick }: { label: string; onClick(): void }) {
  return (
    <button type="button" className="remove" aria-label={label} title={label} onClick={onClick}>
      ×
    </button>
  );
}

function filterValueText(f: Filter): string {
  if (f.value === null || f.value === undefined) return '';
  return Array.isArray(f.value) ? f.value.join(', ') : String(f.value);
}

/** Typed text -> the filter's value: numbers and booleans as such when the column is not text. */
function parseValue(text: string, op: FilterOp, columnType: string | undefined): Filter['value'] {
  const one = (t: string) => {
    const s = t.trim();
    if (columnType && columnType !== 'string') {
      if (s === 'true' || s === 'false') return s === 'true';
      if (s !== '' && !Number.isNaN(Number(s))) return Number(s);
    }
    return s;
  };
  if (LIST_FILTERS.includes(op)) return text.split(',').map(one).filter((v) => v !== '');
  return one(text);
}

function FilterRow({ dataset, i, f, listId, types, onChange, onRemove }: { dataset: string; i: number; f: Filter; listId: string; types: Map<string, string>; onChange(f: Filter): void; onRemove(): void }) {
  const values = useRecentValues(dataset, f.column && types.has(f.column) ? f.column : undefined);
  const valuesId = useId();
  const unary = UNARY_FILTERS.includes(f.op);
  return (
    <div className="row item">
      <ColumnInput listId={listId} label={`Filter ${i + 1} column`} value={f.column} onChange={(column) => onChange({ ...f, column })} />
      <select aria-label={`Filter ${i + 1} operator`} value={f.op} onChange={(e) => {
        const op = e.target.value as FilterOp;
        onChange(UNARY_FILTERS.includes(op) ? { column: f.column, op } : { ...f, op, value: parseValue(filterValueText(f), op, types.get(f.column)) });
      }}>
        {FILTER_OPS.map((op) => (
          <option key={op}>{op}</option>
        ))}
      </select>
      {!unary && (
        <>
          <input
            aria-label={`Filter ${i + 1} value`}
            list={valuesId}
            placeholder={LIST_FILTERS.includes(f.op) ? 'a, b, c' : 'value'}
            value={filterValueText(f)}
            onChange={(e) => onChange({ ...f, value: parseValue(e.target.value, f.op, types.get(f.column)) })}
          />
          <datalist id={valuesId}>
            {(values.data ?? []).map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        </>
      )}
      <Remove label={`Remove filter ${i + 1}`} onClick={onRemove} />
    </div>
  );
}

export function Builder({ dataset, spec, onChange, onRun, running }: { dataset: string; spec: QuerySpec; onChange(s: QuerySpec): void; onRun(): void; running: boolean }) {
  const columns = useColumns(dataset);
  const listId = useId();
  const types = new Map((columns.data ?? []).map((c) => [c.key_name, c.type]));
  const fields = (spec.calculated_fields ?? []).map((f) => f.name);
  fields.forEach((f) => types.set(f, 'float'));
  const calcs = listOps(spec, 'calculations', onChange);
  const filters = listOps(spec, 'filters', onChange);
  const groups = listOps(spec, 'breakdowns', onChange);
  const orders = listOps(spec, 'orders', onChange);
  const havings = listOps(spec, 'havings', onChange);
  const calculated = listOps(spec, 'calculated_fields', onChange);
  const orderChoices = [...calcs.items.map((c) => ({ label: calculationKey(c), value: JSON.stringify({ op: c.op, column: c.column ?? undefined }) })), ...groups.items.map((g) => ({ label: g, value: JSON.stringify({ column: g }) }))];

  const calcRow = (c: Calculation, i: number) => (
    <div className="row item" key={i}>
      <select aria-label={`Calculation ${i + 1}`} value={c.op} onChange={(e) => {
        const op = e.target.value as CalculationOp;
        calcs.set(i, COLUMNLESS.includes(op) ? { op } : { op, column: c.column ?? '' });
      }}>
        {CALCULATION_OPS.map((op) => (
          <option key={op}>{op}</option>
        ))}
      </select>
      {!COLUMNLESS.includes(c.op) && <ColumnInput listId={listId} label={`Calculation ${i + 1} column`} value={c.column ?? ''} onChange={(column) => calcs.set(i, { ...c, column })} />}
      <Remove label={`Remove calculation ${i + 1}`} onClick={() => calcs.remove(i)} />
    </div>
  );

  return (
    <form
      className="builder"
      aria-label="Query"
      onSubmit={(e) => {
        e.preventDefault();
        onRun();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          onRun();
        }
      }}
    >
      <ColumnList id={listId} columns={columns.data ?? []} extra={fields} />
      <Section title="VISUALIZE" onAdd={() => calcs.add({ op: 'COUNT' })} addLabel="Add calculation">
        {calcs.items.map(calcRow)}
      </Section>
      <Section title="WHERE" onAdd={() => filters.add({ column: '', op: '=', value: '' })} addLabel="Add filter">
        {filters.items.length > 1 && (
          <label className="row">
            Combine filters with{' '}
            <select value={spec.filter_combination ?? 'AND'} onChange={(e) => onChange({ ...spec, filter_combination: e.target.value as 'AND' | 'OR' })}>
              <option>AND</option>
              <option>OR</option>
            </select>
          </label>
        )}
        {filters.items.map((f, i) => (
          <FilterRow key={i} dataset={dataset} i={i} f={f} listId={listId} types={types} onChange={(next) => filters.set(i, next)} onRemove={() => filters.remove(i)} />
        ))}
      </Section>
      <Section title="GROUP BY" onAdd={() => groups.add('')} addLabel="Add group">
        {groups.items.map((g, i) => (
          <div className="row item" key={i}>
            <ColumnInput listId={listId} label={`Group by ${i + 1}`} value={g} onChange={(v) => groups.set(i, v)} />
            <Remove label={`Remove group ${i + 1}`} onClick={() => groups.remove(i)} />
          </div>
        ))}
      </Section>
      <Section title="ORDER BY" onAdd={() => orderChoices[0] && orders.add({ ...JSON.parse(orderChoices[0].value), order: 'descending' })} addLabel="Add order">
        {orders.items.map((o: Order, i) => (
          <div className="row item" key={i}>
            <select aria-label={`Order ${i + 1} by`} value={JSON.stringify(o.op ? { op: o.op, column: o.column ?? undefined } : { column: o.column })} onChange={(e) => orders.set(i, { ...JSON.parse(e.target.value), order: o.order })}>
              {orderChoices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
            <select aria-label={`Order ${i + 1} direction`} value={o.order ?? 'ascending'} onChange={(e) => orders.set(i, { ...o, order: e.target.value as 'ascending' | 'descending' })}>
              <option value="descending">descending</option>
              <option value="ascending">ascending</option>
            </select>
            <Remove label={`Remove order ${i + 1}`} onClick={() => orders.remove(i)} />
          </div>
        ))}
      </Section>
      <Section title="HAVING" onAdd={() => havings.add({ calculate_op: calcs.items[0]?.op ?? 'COUNT', column: calcs.items[0]?.column, op: '>', value: 0 })} addLabel="Add having">
        {havings.items.map((h: Having, i) => (
          <div className="row item" key={i}>
            <select aria-label={`Having ${i + 1} calculation`} value={h.calculate_op} onChange={(e) => havings.set(i, { ...h, calculate_op: e.target.value as CalculationOp })}>
              {CALCULATION_OPS.filter((op) => op !== 'HEATMAP').map((op) => (
                <option key={op}>{op}</option>
              ))}
            </select>
            {!COLUMNLESS.includes(h.calculate_op) && <ColumnInput listId={listId} label={`Having ${i + 1} column`} value={h.column ?? ''} onChange={(column) => havings.set(i, { ...h, column })} />}
            <select aria-label={`Having ${i + 1} operator`} value={h.op} onChange={(e) => havings.set(i, { ...h, op: e.target.value as Having['op'] })}>
              {HAVING_OPS.map((op) => (
                <option key={op}>{op}</option>
              ))}
            </select>
            <input aria-label={`Having ${i + 1} value`} type="number" value={h.value} onChange={(e) => havings.set(i, { ...h, value: Number(e.target.value) })} />
            <Remove label={`Remove having ${i + 1}`} onClick={() => havings.remove(i)} />
          </div>
        ))}
      </Section>
      <Section title="Calculated fields" onAdd={() => calculated.add({ name: `field_${calculated.items.length + 1}`, expression: '' })} addLabel="Add calculated field">
        {calculated.items.map((f: Field, i) => (
          <div className="row item" key={i}>
            <input aria-label={`Calculated field ${i + 1} name`} value={f.name} onChange={(e) => calculated.set(i, { ...f, name: e.target.value })} />
            <input className="wide" aria-label={`Calculated field ${i + 1} expression`} placeholder="IF(GTE($status, 500), 1, 0)" value={f.expression} onChange={(e) => calculated.set(i, { ...f, expression: e.target.value })} spellCheck={false} />
            <Remove label={`Remove calculated field ${i + 1}`} onClick={() => calculated.remove(i)} />
          </div>
        ))}
      </Section>
      <fieldset className="clause">
        <legend>LIMIT</legend>
        <input aria-label="Limit" type="number" min={1} max={10000} placeholder="1000" value={spec.limit ?? ''} onChange={(e) => {
          const { limit: _l, ...rest } = spec;
          onChange(e.target.value ? { ...rest, limit: Number(e.target.value) } : rest);
        }} />
      </fieldset>
      <TimePicker spec={spec} onChange={onChange} />
      <div className="row run">
        <button type="submit" className="primary" disabled={running} title="Ctrl+Enter">
          {running ? 'Running…' : 'Run query'}
        </button>
        <span className="muted">Ctrl/⌘ + Enter</span>
      </div>
    </form>
  );
}

const COLUMNLESS: readonly CalculationOp[] = COLUMNLESS_OPS;
