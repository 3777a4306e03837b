// A week of shifts drawn as bars: one row per layer, days across, in the browser's time zone (a
// shift's exact times, in UTC too, on hover). The table under it says the same in words.
import type { ShiftView } from './oncall-api';

const DAY_MS = 86_400_000;
const dayName = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A stable colour per person, so one person's shifts look alike across layers. */
function colourOf(email: string): string {
  let h = 0;
  for (const c of email) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360} 50% 27%)`;
}

export function WeekGrid({ start, layers, shifts }: { start: Date; layers: string[]; shifts: ShiftView[] }) {
  const from = start.getTime();
  const span = 7 * DAY_MS;
  const days = Array.from({ length: 7 }, (_, i) => new Date(from + i * DAY_MS));
  const pct = (ms: number) => `${(Math.min(Math.max(ms - from, 0), span) / span) * 100}%`;
  return (
    <div className="week-grid" role="img" aria-label={`Shifts of the week from ${dayName.format(start)}, drawn; listed in the table below`}>
      <div className="week-head">
        <span />
        <div className="week-days">
          {days.map((d) => (
            <span key={d.getTime()}>{dayName.format(d)}</span>
          ))}
        </div>
      </div>
      {layers.map((layer) => (
          <div className="week-row" key={layer}>
            <span className="layer-name">{layer}</span>
            <div className="week-track">
              {shifts
                .filter((s) => s.layer === layer)
                .map((s) => {
                  const a = Date.parse(s.start);
                  const b = Date.parse(s.end);
                  return (
                    <span
                      key={`${s.start}-${s.email}`}
                      className={`shift${s.override ? ' override' : ''}`}
                      style={{ left: pct(a), width: `calc(${pct(b)} - ${pct(a)})`, background: colourOf(s.email) }}
                      title={`${s.name ?? s.email} (${layer}${s.override ? ', override' : ''}): ${when.format(a)} – ${when.format(b)} (${s.start} – ${s.end} UTC)`}
                    >
                      {s.name ?? s.email.split('@')[0]}
                    </span>
                  );
                })}
            </div>
          </div>
      ))}
    </div>
  );
}
