// The waterfall's list of spans, virtualised: only the rows in view (and a few either side) are
// in the page, in a fixed set of row elements that scrolling reuses. React makes the list once;
// a scroll rewrites the reused rows' text, classes and positions in the scroll event itself, so a
// scrolled frame does no React work, creates and removes no elements, and shows the rows in view
// in that same frame. Measured against React rendering the rows in docs/benchmarks.md "Web UI".
// Slot i always shows the i-th row from the top of the window, so the page's order is the
// screen's order (focus moves down the list as Tab is pressed).
import { useLayoutEffect, useRef } from 'react';
import type { SpanNode } from '../app/api-types';
import { formatNumber } from '../app/format';
import type { WaterfallRow } from './waterfall-rows';

/** Fixed row height: a row's position is its index times this, and no row is measured. */
const ROW = 26;
/** Rows kept in the page above and below the view, for a scroll the compositor shows first. */
const OVERSCAN = 4;

export interface WaterfallProps {
  rows: WaterfallRow[];
  /** The trace's duration (ms): the time axis. */
  total: number;
  colourOf(service: string): string;
  chosen: SpanNode | undefined;
  /** Spans matching the search. */
  hits: ReadonlySet<SpanNode>;
  collapsed: ReadonlySet<string>;
  onToggle(spanId: string): void;
  onChoose(span: SpanNode): void;
}

/** One reused row element and the parts a row's span fills in. */
interface Slot {
  el: HTMLDivElement;
  name: HTMLDivElement;
  twisty: HTMLButtonElement;
  label: HTMLButtonElement;
  error: HTMLSpanElement;
  orphan: HTMLSpanElement;
  text: Text;
  bar: HTMLDivElement;
  ticks: HTMLDivElement;
  ms: HTMLSpanElement;
  /** What the slot shows now: unchanged rows are not written again. */
  row?: WaterfallRow;
  index: number;
  drawn: number;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, parent: HTMLElement): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.className = className;
  parent.appendChild(el);
  return el;
}

function makeSlot(list: HTMLElement): Slot {
  const el = element('div', 'span-row', list);
  el.setAttribute('role', 'treeitem');
  const name = element('div', 'span-name', el);
  const twisty = element('button', 'twisty', name);
  twisty.type = 'button';
  const label = element('button', 'linkish', name);
  label.type = 'button';
  const error = element('span', 'bad', label);
  error.setAttribute('aria-label', 'error');
  error.textContent = '⚠ ';
  const orphan = element('span', 'bad', label);
  orphan.title = 'the parent span never arrived';
  orphan.textContent = '⇡? ';
  const text = label.appendChild(document.createTextNode(''));
  const track = element('div', 'span-track', el);
  const bar = element('div', 'span-bar', track);
  const ticks = element('div', 'span-ticks', track);
  const ms = element('span', 'span-ms', track);
  return { el, name, twisty, label, error, orphan, text, bar, ticks, ms, index: -1, drawn: -1 };
}

/** Writes row `index` into the slot, unless it shows that row already as of `version`. */
function fill(slot: Slot, index: number, props: WaterfallProps, version: number): void {
  const r = props.rows[index];
  if (slot.row === r && slot.index === index && slot.drawn === version) return;
  slot.row = r;
  slot.index = index;
  slot.drawn = version;
  const s = r.span;
  const collapsed = props.collapsed.has(s.span_id);
  const { el, twisty, bar } = slot;
  el.hidden = false;
  el.dataset.index = String(index);
  el.style.transform = `translateY(${index * ROW}px)`;
  el.className = `span-row${props.chosen === s ? ' chosen' : ''}${props.hits.has(s) ? ' hit' : ''}${s.error ? ' error' : ''}`;
  el.setAttribute('aria-level', String(r.depth + 1));
  el.setAttribute('aria-selected', String(props.chosen === s));
  if (s.children.length) el.setAttribute('aria-expanded', String(!collapsed));
  else el.removeAttribute('aria-expanded');
  slot.name.style.paddingLeft = `${r.depth * 12}px`;
  // A leaf keeps the twisty's room (the names stay aligned) but not the button.
  twisty.style.visibility = s.children.length ? '' : 'hidden';
  twisty.setAttribute('aria-label', `${collapsed ? 'Expand' : 'Collapse'} ${s.name}`);
  twisty.textContent = collapsed ? '▸' : '▾';
  slot.error.hidden = !s.error;
  slot.orphan.hidden = !s.missing_parent;
  slot.text.data = `${s.service}: ${s.name}`;
  const start = Math.max(0, r.startMs);
  bar.style.left = `${(start / props.total) * 100}%`;
  bar.style.width = `${Math.max(0.2, (s.duration_ms / props.total) * 100)}%`;
  bar.style.background = props.colourOf(s.service);
  const ms = `${formatNumber(s.duration_ms)} ms`;
  bar.title = `${s.name}: ${ms}`;
  slot.ms.textContent = ms;
  if (s.events.length || slot.ticks.firstChild) {
    const t0 = Date.parse(s.start_time);
    slot.ticks.replaceChildren(
      ...s.events.map((ev) => {
        const tick = document.createElement('div');
        tick.className = 'span-tick';
        tick.style.left = `${((start + (Date.parse(ev.time) - t0)) / props.total) * 100}%`;
        tick.title = ev.name;
        return tick;
      }),
    );
  }
}

export function Waterfall(props: WaterfallProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const view = useRef({ props, version: 0, slots: [] as Slot[], draw: () => {} });
  view.current.props = props;

  useLayoutEffect(() => {
    const box = scroller.current!;
    const v = view.current;
    v.draw = () => {
      const { rows } = v.props;
      const first = Math.max(0, Math.floor(box.scrollTop / ROW) - OVERSCAN);
      const count = Math.max(0, Math.min(rows.length - first, Math.ceil(box.clientHeight / ROW) + 2 * OVERSCAN));
      const focused = v.slots.findIndex((s) => s.el.contains(document.activeElement));
      const focusedIndex = focused >= 0 ? v.slots[focused].index : -1;
      while (v.slots.length < count) v.slots.push(makeSlot(list.current!));
      v.slots.forEach((slot, i) => {
        if (i < count) fill(slot, first + i, v.props, v.version);
        else if (!slot.el.hidden) {
          slot.el.hidden = true;
          slot.row = undefined;
        }
      });
      // Focus stays with its span, not with the element now showing another one.
      if (focusedIndex >= 0 && v.slots[focused].index !== focusedIndex) {
        const moved = v.slots.find((s) => !s.el.hidden && s.index === focusedIndex);
        const twisty = v.slots[focused].twisty === document.activeElement;
        if (moved) (twisty ? moved.twisty : moved.label).focus({ preventScroll: true });
      }
    };
    const resize = new ResizeObserver(() => v.draw());
    resize.observe(box);
    return () => resize.disconnect();
  }, []);

  // New rows, choice, search or collapse: every slot is written again.
  useLayoutEffect(() => {
    view.current.version++;
    view.current.draw();
  }, [props.rows, props.total, props.chosen, props.hits, props.collapsed, props.colourOf]);

  const onClick = (e: React.MouseEvent) => {
    const button = (e.target as HTMLElement).closest('button');
    const row = button?.closest<HTMLElement>('.span-row');
    if (!button || !row) return;
    const span = props.rows[Number(row.dataset.index)].span;
    if (button.classList.contains('twisty')) props.onToggle(span.span_id);
    else props.onChoose(span);
  };

  return (
    <div ref={scroller} className="waterfall" role="tree" aria-label="Spans" onScroll={() => view.current.draw()}>
      <div ref={list} className="waterfall-inner" style={{ height: props.rows.length * ROW }} onClick={onClick} />
    </div>
  );
}
