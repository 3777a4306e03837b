// A series as a line of unicode blocks (▁▂▃▄▅▆▇█), for a chart's shape in a terminal table.

const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * One block per point, or per run of points when there are more than `width` (a run shows its
 * highest value, so spikes stay visible). Missing values are blanks. The scale runs from
 * min(0, lowest) to the highest value, so equal heights mean equal values.
 */
export function sparkline(values: (number | null | undefined)[], width = 40): string {
  const per = Math.max(1, Math.ceil(values.length / width));
  const points: (number | undefined)[] = [];
  for (let i = 0; i < values.length; i += per) {
    const run = values.slice(i, i + per).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    points.push(run.length ? Math.max(...run) : undefined);
  }
  const known = points.filter((v): v is number => v !== undefined);
  if (known.length === 0) return ' '.repeat(points.length);
  const low = Math.min(0, ...known);
  const span = Math.max(...known) - low;
  return points
    .map((v) => {
      if (v === undefined) return ' ';
      if (span === 0) return BLOCKS[0];
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.floor(((v - low) / span) * (BLOCKS.length - 1) + 0.5))];
    })
    .join('');
}
