// HEATMAP(column) drawn on a canvas: time across, the column's value up, each cell's colour its
// event count (log scale, legend below). Dragging a box selects a time and value range for
// BubbleUp.
import { useEffect, useRef, useState, type PointerEvent } from 'react';
import type { HeatmapValue } from '../app/api-types';
import { formatNumber } from '../app/format';
import type { SeriesTable } from './series';

export interface HeatmapSelection {
  start: number;
  end: number;
  min: number;
  max: number;
}

const HEIGHT = 220;
const PAD = { left: 60, bottom: 20, top: 6, right: 8 };

/** Count 0..max -> a colour from pale to deep blue (log scale, so rare slow events show). */
export function heatColour(count: number, max: number): string {
  const f = count <= 0 ? 0 : Math.log1p(count) / Math.log1p(max);
  const l = 92 - f * 62;
  return `hsl(215 80% ${l}%)`;
}

interface Cells {
  times: number[];
  lo: number;
  hi: number;
  rows: number;
  counts: number[][];
  max: number;
}

function cellsOf(table: SeriesTable, calcKey: string): Cells {
  let lo = Infinity;
  let hi = -Infinity;
  let rows = 0;
  for (const g of table.groups)
    for (const v of g.values[calcKey]) {
      const b = (v as HeatmapValue | undefined)?.buckets ?? [];
      if (b.length) {
        lo = Math.min(lo, b[0].lower);
        hi = Math.max(hi, b[b.length - 1].upper);
        rows = Math.max(rows, b.length);
      }
    }
  if (!Number.isFinite(lo)) return { times: table.times, lo: 0, hi: 1, rows: 1, counts: table.times.map(() => [0]), max: 0 };
  const span = hi > lo ? hi - lo : 1;
  let max = 0;
  const counts = table.times.map((_, t) => {
    const col = new Array<number>(rows).fill(0);
    for (const g of table.groups) {
      for (const b of (g.values[calcKey][t] as HeatmapValue | undefined)?.buckets ?? []) {
        const r = Math.min(rows - 1, Math.max(0, Math.floor(((b.lower - lo) / span) * rows)));
        col[r] += b.count;
      }
    }
    col.forEach((c) => (max = Math.max(max, c)));
    return col;
  });
  return { times: table.times, lo, hi: hi > lo ? hi : lo + 1, rows, counts, max };
}

export function Heatmap({ title, table, calcKey, onSelect }: { title: string; table: SeriesTable; calcKey: string; onSelect?(s: HeatmapSelection): void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const sel = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const drag = useRef<{ x: number; y: number } | undefined>(undefined);
  const cells = cellsOf(table, calcKey);

  useEffect(() => {
    const el = wrap.current!;
    const ro = new ResizeObserver(() => setWidth(Math.max(300, el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const t0 = cells.times[0] ?? 0;
  const step = cells.times.length > 1 ? cells.times[1] - cells.times[0] : 60;
  const t1 = (cells.times[cells.times.length - 1] ?? 0) + step;
  const xOf = (t: number) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * plotW;
  const tOf = (x: number) => t0 + ((x - PAD.left) / plotW) * (t1 - t0);
  const vOf = (y: number) => cells.lo + ((PAD.top + plotH - y) / plotH) * (cells.hi - cells.lo);

  useEffect(() => {
    const c = canvas.current!;
    const ratio = window.devicePixelRatio || 1;
    c.width = width * ratio;
    c.height = HEIGHT * ratio;
    c.style.width = `${width}px`;
    c.style.height = `${HEIGHT}px`;
    const ctx = c.getContext('2d')!;
    ctx.scale(ratio, ratio);
    ctx.clearRect(0, 0, width, HEIGHT);
    const cellW = plotW / Math.max(1, cells.times.length);
    const cellH = plotH / cells.rows;
    cells.counts.forEach((col, t) =>
      col.forEach((n, r) => {
        if (n <= 0) return;
        ctx.fillStyle = heatColour(n, cells.max);
        ctx.fillRect(PAD.left + t * cellW, PAD.top + plotH - (r + 1) * cellH, Math.ceil(cellW), Math.ceil(cellH));
      }),
    );
    ctx.fillStyle = getComputedStyle(c).color;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    for (let i = 0; i <= 4; i++) {
      const v = cells.lo + ((cells.hi - cells.lo) * i) / 4;
      ctx.fillText(formatNumber(Number(v.toPrecision(3))), PAD.left - 4, PAD.top + plotH - (plotH * i) / 4 + 4);
    }
    ctx.textAlign = 'center';
    for (let i = 0; i <= 4; i++) {
      const t = t0 + ((t1 - t0) * i) / 4;
      ctx.fillText(new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }), Math.min(width - 24, Math.max(PAD.left + 20, xOf(t))), HEIGHT - 4);
    }
  });

  const local = (e: PointerEvent) => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: Math.min(PAD.left + plotW, Math.max(PAD.left, e.clientX - r.left)), y: Math.min(PAD.top + plotH, Math.max(PAD.top, e.clientY - r.top)) };
  };
  const showBox = (a: { x: number; y: number }, b: { x: number; y: number }) => {
    const s = sel.current!;
    s.hidden = false;
    s.style.left = `${Math.min(a.x, b.x)}px`;
    s.style.top = `${Math.min(a.y, b.y)}px`;
    s.style.width = `${Math.abs(a.x - b.x)}px`;
    s.style.height = `${Math.abs(a.y - b.y)}px`;
  };

  return (
    <figure className="chart heatmap" data-calc={calcKey}>
      <figcaption>{title}</figcaption>
      <div ref={wrap} className="heat-wrap">
        <canvas
          ref={canvas}
          role="img"
          aria-label={`${title}: ${cells.times.length} time buckets, values ${formatNumber(cells.lo)} to ${formatNumber(cells.hi)}; drag a box to compare it with BubbleUp`}
          onPointerDown={(e) => {
            drag.current = local(e);
            canvas.current!.setPointerCapture(e.pointerId);
          }}
          onPointerMove={(e) => drag.current && showBox(drag.current, local(e))}
          onPointerUp={(e) => {
            const a = drag.current;
            drag.current = undefined;
            if (!a) return;
            const b = local(e);
            if (Math.abs(a.x - b.x) < 3 || Math.abs(a.y - b.y) < 3) {
              sel.current!.hidden = true;
              return;
            }
            onSelect?.({ start: Math.floor(tOf(Math.min(a.x, b.x))), end: Math.ceil(tOf(Math.max(a.x, b.x))), min: vOf(Math.max(a.y, b.y)), max: vOf(Math.min(a.y, b.y)) });
          }}
        />
        <div ref={sel} className="heat-select" hidden />
      </div>
      <div className="scale" aria-label={`colour scale: pale is 1 event, deep is ${cells.max}`}>
        <span>1</span>
        <span className="gradient" />
        <span>{formatNumber(cells.max)} events</span>
      </div>
    </figure>
  );
}
