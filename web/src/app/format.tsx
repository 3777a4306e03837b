// Numbers and times as people read them: numbers to at least 3 significant digits (integers
// whole), times in the browser's time zone with UTC on hover.
// Made once: toLocaleString with options builds a formatter on every call.
const whole = new Intl.NumberFormat('en-US');
const large = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function formatNumber(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return whole.format(v);
  if (Math.abs(v) >= 1000) return large.format(v);
  return String(Number(v.toPrecision(4)));
}

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function Time({ at }: { at: string | number | Date | null | undefined }) {
  if (at === null || at === undefined) return <span>never</span>;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return <span>{String(at)}</span>;
  return (
    <time dateTime={d.toISOString()} title={`${d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')} UTC`}>
      {local.format(d)}
    </time>
  );
}

export function ago(at: string | null | undefined): string {
  if (!at) return 'never';
  const s = Math.round((Date.now() - new Date(at).getTime()) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}
