// A small time chart as SVG: a few named lines over the same times, and optionally a
// horizontal limit. Enough for comparing a customer with everyone, or peaks with a maximum;
// the query page's uPlot charts are for exploring, this is for reading at a glance.
import { formatNumber } from '../app/format';

export interface Line {
  label: string;
  values: (number | null)[];
  className: string;
}

const W = 560;
const H = 140;
const PAD = { left: 48, right: 8, top: 8, bottom: 20 };

export function LineChart({ title, times, lines, limit }: { title: string; times: string[]; lines: Line[]; limit?: number }) {
  const known = lines.flatMap((l) => l.values.filter((v): v is number => v !== null));
  const max = Math.max(limit ?? 0, ...known, 1e-9) * 1.05;
  const x = (i: number) => PAD.left + (times.length > 1 ? (i / (times.length - 1)) * (W - PAD.left - PAD.right) : 0);
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const path = (values: (number | null)[]) =>
    values.map((v, i) => (v === null ? '' : `${i === 0 || values[i - 1] === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`)).join(' ');
  const first = times[0] ? new Date(times[0]).toLocaleString() : '';
  const last = times.length ? new Date(times[times.length - 1]).toLocaleString() : '';
  return (
    <figure className="line-chart">
      <figcaption>
        {title}{' '}
        {lines.map((l) => (
          <span key={l.label} className={`legend ${l.className}`}>
            {l.label}
          </span>
        ))}
      </figcaption>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <text x={PAD.left - 4} y={PAD.top + 8} textAnchor="end" className="axis">{formatNumber(Number(max.toPrecision(3)))}</text>
        <text x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end" className="axis">0</text>
        <text x={PAD.left} y={H - 4} className="axis">{first}</text>
        <text x={W - PAD.right} y={H - 4} textAnchor="end" className="axis">{last}</text>
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="axis-line" />
        {limit !== undefined && <line x1={PAD.left} x2={W - PAD.right} y1={y(limit)} y2={y(limit)} className="limit-line" />}
        {lines.map((l) => (
          <path key={l.label} d={path(l.values)} className={`series ${l.className}`} fill="none" />
        ))}
      </svg>
    </figure>
  );
}
