// The on-call calendar: pick a schedule, see who is on call now, a week of shifts per layer
// (overrides applied) with the previous and next weeks a click away, and the overrides. The URL
// keeps the schedule and the week, so a link shows the same calendar.
import { ErrorNote } from '../app/error-note';
import { Time } from '../app/format';
import { navigate, useLocation } from '../app/router';
import { useOnCallNow, useSchedules, useShifts, type ScheduleView } from './oncall-api';
import { Overrides } from './overrides';
import { WeekGrid } from './week-grid';
import './oncall.css';

const weekTitle = new Intl.DateTimeFormat(undefined, { dateStyle: 'full' });

/** Midnight (browser time) of the Monday of the week holding `d`. */
function mondayOf(d: Date): Date {
  const m = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  m.setDate(m.getDate() - ((m.getDay() + 6) % 7));
  return m;
}
const dayKey = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
function parseDay(s: string | null): Date | undefined {
  const m = s && /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}
/** Seven days on from a local midnight, through daylight-saving changes. */
const addDays = (d: Date, n: number) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);

function Calendar({ schedule, week }: { schedule: ScheduleView; week: Date }) {
  const end = addDays(week, 7);
  const now = useOnCallNow(schedule.name);
  const shifts = useShifts(schedule.name, week, end);
  const { search } = useLocation();
  const go = (d: Date) => {
    const next = new URLSearchParams(search);
    next.set('schedule', schedule.name);
    next.set('week', dayKey(d));
    navigate(`/oncall?${next}`);
  };
  return (
    <>
      <section aria-labelledby="now">
        <h2 id="now">On call now</h2>
        <ErrorNote error={now.error} what="Could not ask who is on call" />
        {now.data && now.data.on_call.length === 0 && <p className="muted">Nobody.</p>}
        <ul className="on-call-now">
          {now.data?.on_call.map((o) => (
            <li key={o.layer}>
              <strong>{o.name ?? o.email}</strong>
              {o.name && <span className="muted"> {o.email}</span>} · {o.layer}
              {o.override && ' (override)'} · until <Time at={o.shift_end} />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="week">
        <div className="row">
          <h2 id="week">
            Week of {weekTitle.format(week)}
          </h2>
          <button type="button" onClick={() => go(addDays(week, -7))}>
            Previous week
          </button>
          <button type="button" onClick={() => go(mondayOf(new Date()))}>
            This week
          </button>
          <button type="button" onClick={() => go(addDays(week, 7))}>
            Next week
          </button>
        </div>
        <p className="muted">
          Times in your time zone; the schedule hands over in {schedule.time_zone}.
        </p>
        <ErrorNote error={shifts.error} what="Could not read the shifts" />
        {shifts.data && (
          <>
            <WeekGrid start={week} layers={schedule.layers.map((l) => l.name)} shifts={shifts.data.shifts} />
            <div className="scroll-x">
              <table className="grid shifts">
                <thead>
                  <tr>
                    <th>Layer</th>
                    <th>Who</th>
                    <th>From</th>
                    <th>Until</th>
                    <th>Override</th>
                  </tr>
                </thead>
                <tbody>
                  {shifts.data.shifts.map((s) => (
                    <tr key={`${s.layer}-${s.start}-${s.email}`}>
                      <td>{s.layer}</td>
                      <td>{s.name ? `${s.name} <${s.email}>` : s.email}</td>
                      <td>
                        <Time at={s.start} />
                      </td>
                      <td>
                        <Time at={s.end} />
                      </td>
                      <td>{s.override ? 'yes' : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
      <Overrides schedule={schedule} />
    </>
  );
}

export default function OncallPage() {
  const schedules = useSchedules();
  const { search } = useLocation();
  const list = schedules.data?.schedules ?? [];
  const chosen = list.find((s) => s.name === search.get('schedule')) ?? list[0];
  const week = mondayOf(parseDay(search.get('week')) ?? new Date());
  const choose = (name: string) => {
    const next = new URLSearchParams(search);
    next.set('schedule', name);
    navigate(`/oncall?${next}`);
  };
  return (
    <>
      <div className="row">
        <h1>On call</h1>
        {list.length > 1 && (
          <label>
            Schedule{' '}
            <select value={chosen?.name} onChange={(e) => choose(e.target.value)}>
              {list.map((s) => (
                <option key={s.name}>{s.name}</option>
              ))}
            </select>
          </label>
        )}
        {list.length === 1 && <span className="muted">{chosen?.name}</span>}
      </div>
      <ErrorNote error={schedules.error} what="Could not list schedules" />
      {schedules.data && list.length === 0 && <p className="muted">No schedules: declare them under schedules: in tend.yaml.</p>}
      {chosen && <Calendar schedule={chosen} week={week} key={chosen.name} />}
    </>
  );
}
