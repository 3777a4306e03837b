// The time window: presets (relative to now), an absolute range, and the granularity.
import type { QuerySpec } from '../app/api-types';

const PRESETS: [string, number][] = [
  ['Last 10 minutes', 600], ['Last hour', 3600], ['Last 2 hours', 7200], ['Last 6 hours', 21_600],
  ['Last 24 hours', 86_400], ['Last 7 days', 604_800], ['Last 30 days', 2_592_000],
];
const GRANULARITIES: [string, number | null][] = [
  ['Auto', null], ['1 second', 1], ['10 seconds', 10], ['30 seconds', 30], ['1 minute', 60], ['5 minutes', 300], ['15 minutes', 900], ['1 hour', 3600], ['1 day', 86_400],
];

/** Unix seconds <-> the local time a datetime-local input shows. */
const toLocalInput = (s: number) => {
  const d = new Date(s * 1000);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
};
const fromLocalInput = (v: string) => Math.floor(new Date(v).getTime() / 1000);

export function TimePicker({ spec, onChange }: { spec: QuerySpec; onChange(next: QuerySpec): void }) {
  const absolute = spec.start_time != null && spec.end_time != null;
  const preset = absolute ? 'absolute' : String(spec.time_range ?? 7200);
  const now = Math.floor(Date.now() / 1000);
  const setPreset = (v: string) => {
    const { start_time: _s, end_time: _e, time_range: _t, ...rest } = spec;
    if (v === 'absolute') onChange({ ...rest, start_time: now - (spec.time_range ?? 7200), end_time: now });
    else onChange({ ...rest, time_range: Number(v) });
  };
  return (
    <fieldset className="time">
      <legend>Time</legend>
      <div className="row">
        <label>
          <span className="visually-hidden">Time range</span>
          <select aria-label="Time range" value={PRESETS.some(([, s]) => String(s) === preset) || absolute ? preset : 'custom'} onChange={(e) => setPreset(e.target.value)}>
            {PRESETS.map(([label, s]) => (
              <option key={s} value={String(s)}>
                {label}
              </option>
            ))}
            {!absolute && !PRESETS.some(([, s]) => String(s) === preset) && <option value="custom">Last {preset} seconds</option>}
            <option value="absolute">Absolute range…</option>
          </select>
        </label>
        {absolute && (
          <>
            <label>
              From{' '}
              <input type="datetime-local" step="1" value={toLocalInput(spec.start_time!)} onChange={(e) => e.target.value && onChange({ ...spec, start_time: fromLocalInput(e.target.value) })} />
            </label>
            <label>
              to{' '}
              <input type="datetime-local" step="1" value={toLocalInput(spec.end_time!)} onChange={(e) => e.target.value && onChange({ ...spec, end_time: fromLocalInput(e.target.value) })} />
            </label>
          </>
        )}
        <label>
          Granularity{' '}
          <select
            value={spec.granularity == null ? '' : String(spec.granularity)}
            onChange={(e) => {
              const { granularity: _g, ...rest } = spec;
              onChange(e.target.value ? { ...rest, granularity: Number(e.target.value) } : rest);
            }}
          >
            {GRANULARITIES.map(([label, s]) => (
              <option key={label} value={s == null ? '' : String(s)}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
    </fieldset>
  );
}
