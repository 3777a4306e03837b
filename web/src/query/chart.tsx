// A time-series chart of one calculation (uPlot): one line per group; the legend shows every
// group's value at the cursor and clicking a group isolates it; markers are vertical lines whose
// message shows on hover; dragging across the chart selects a time range (for BubbleUp), and
// clicking a point picks that time bucket of the nearest group (for its traces and events).
import { useLayoutEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber } from '../app/format';
import { PALETTE, type GroupSeries, type SeriesTable } from './series';

export interface Marker {
  start_time: number;
  end_time?: number;
  message?: string;
  type?: string;
}

export interface ChartProps {
  title: string;
  table: SeriesTable;
  calcKey: string;
  markers: Marker[];
  onSelect?(range: { start: number; end: number }): void;
  onPoint?(point: ChartPoint): void;
}

export interface ChartPoint {
  /** The bucket's start, Unix seconds. */
  time: number;
  group: GroupSeries;
  value: number;
}

/** The shown group whose line passes closest to the cursor at its bucket (null where it has no value). */
function nearestPoint(u: uPlot, table: SeriesTable): { idx: number; group: number; value: number } | undefined {
  const idx = u.cursor.idx;
  if (idx == null || u.cursor.top == null) return undefined;
  let best: { idx: number; group: number; value: number } | undefined;
  let bestDistance = Infinity;
  for (let i = 1; i < u.series.length; i++) {
    const v = u.data[i][idx];
    if (!u.series[i].show || v == null) continue;
    const distance = Math.abs(u.valToPos(v, 'y') - u.cursor.top);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = { idx, group: i - 1, value: v };
    }
  }
  return best && best.group < table.groups.length ? best : undefined;
}

function markerPlugin(markers: Marker[]): uPlot.Plugin {
  let layer: HTMLDivElement | undefined;
  return {
    hooks: {
      init: (u) => {
        layer = document.createElement('div');
        layer.className = 'marker-layer';
        u.over.appendChild(layer);
      },
      draw: (u) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        layer!.replaceChildren();
        ctx.save();
        ctx.strokeStyle = '#b07aa1';
        ctx.lineWidth = 2 * uPlot.pxRatio;
        ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
        for (const m of markers) {
          const x = u.valToPos(m.start_time, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          const hit = document.createElement('div');
          hit.className = 'marker';
          hit.title = `${m.type ? `${m.type}: ` : ''}${m.message ?? ''} (${new Date(m.start_time * 1000).toLocaleString()})`;
          hit.setAttribute('role', 'img');
          hit.setAttribute('aria-label', `marker: ${hit.title}`);
          hit.style.left = `${u.valToPos(m.start_time, 'x') - 4}px`;
          layer!.appendChild(hit);
        }
        ctx.restore();
      },
    },
  };
}

export function Chart({ title, table, calcKey, markers, onSelect, onPoint }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const onPointRef = useRef(onPoint);
  onPointRef.current = onPoint;

  // Made before the browser paints (not after, as useEffect would): the chart shows in the same
  // frame as the page around it instead of one frame later.
  useLayoutEffect(() => {
    const el = box.current!;
    const data: uPlot.AlignedData = [table.times, ...table.groups.map((g) => g.values[calcKey].map((v) => (typeof v === 'number' ? v : null)))];
    // A line one pixel wide is drawn as a hairline, a fraction of the cost of a wider one where the
    // canvas is drawn in software (50 groups x 300 points: 2.5 ms against 40 ms at 1.5 px, chromium
    // without a GPU); with many groups a thin line also reads better.
    const lineWidth = table.groups.length > 10 ? 1 : 1.5;
    const width = Math.max(300, el.clientWidth);
    const opts: uPlot.Options = {
      width,
      height: 220,
      series: [
        { label: 'Time', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleTimeString()) },
        ...table.groups.map((g, i) => ({ label: g.label, stroke: PALETTE[i % PALETTE.length], width: lineWidth, value: (_u: uPlot, v: number | null) => formatNumber(v), spanGaps: false })),
      ],
      axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.2)' }, ticks: { stroke: 'rgba(128,128,128,.4)' } }, { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.2)' }, ticks: { stroke: 'rgba(128,128,128,.4)' }, size: 60, values: (_u, vals) => vals.map((v) => formatNumber(v)) }],
      legend: { isolate: true, live: true },
      // Hover points for many groups would add a DOM node per group to every move.
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: table.groups.length <= 10 } },
      plugins: [markerPlugin(markers)],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const start = Math.floor(u.posToVal(u.select.left, 'x'));
            const end = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x'));
            onSelectRef.current?.({ start, end });
          },
        ],
      },
    };
    const plot = new uPlot(opts, data, el);
    // A click is a point; the click that ends a drag is the range selection's, not a point's.
    plot.over.addEventListener('click', () => {
      if (plot.select.width >= 3) return;
      const p = nearestPoint(plot, table);
      if (p) onPointRef.current?.({ time: table.times[p.idx], group: table.groups[p.group], value: p.value });
    });
    // The observer also fires once at the start, at the width just drawn: a redraw then is waste.
    let drawnWidth = width;
    const resize = new ResizeObserver(() => {
      const w = Math.max(300, el.clientWidth);
      if (w === drawnWidth) return;
      drawnWidth = w;
      plot.setSize({ width: w, height: 220 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [table, calcKey, markers]);

  return (
    <figure className="chart" data-calc={calcKey}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="plot" role="img" aria-label={`${title} over time, ${table.groups.length} group(s)`} />
    </figure>
  );
}
