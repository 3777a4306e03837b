// 90 days of uptime as a row of day cells (SVG): green all up, amber some failures, red mostly
// down, grey no data; each cell says its day and share on hover.
export function UptimeBar({ days }: { days: { day: number; up: number | null }[] }) {
  const w = 3;
  const gap = 1;
  const known = days.filter((d) => d.up !== null);
  const overall = known.length ? known.reduce((a, d) => a + d.up!, 0) / known.length : null;
  const colour = (up: number | null) => (up === null ? '#9aa3ad55' : up >= 0.999 ? '#2e9d4b' : up >= 0.9 ? '#d59f1c' : '#d13b30');
  return (
    <svg className="uptime" width={days.length * (w + gap)} height="20" role="img" aria-label={`uptime over 90 days: ${overall === null ? 'no data' : `${(overall * 100).toFixed(2)}%`}`}>
      {days.map((d, i) => (
        <rect key={d.day} x={i * (w + gap)} y="0" width={w} height="20" fill={colour(d.up)}>
          <title>{`${new Date(d.day * 1000).toISOString().slice(0, 10)}: ${d.up === null ? 'no data' : `${(d.up * 100).toFixed(2)}% up`}`}</title>
        </rect>
      ))}
    </svg>
  );
}
