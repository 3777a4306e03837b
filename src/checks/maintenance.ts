// Maintenance windows: one-off (from..to) or recurring (a cron start in a time zone, lasting
// `duration`). A time is inside a recurring window when the most recent cron start before it
// is less than `duration` ago; cron-parser applies the zone's daylight-saving rules.
import { CronExpressionParser } from 'cron-parser';
import { ms, type MaintenanceWindow } from './definition.js';

export function inMaintenance(windows: MaintenanceWindow[], now: number): boolean {
  return windows.some((w) => {
    if ('from' in w) return now >= Date.parse(w.from) && now < Date.parse(w.to);
    const lastStart = CronExpressionParser.parse(w.cron, { tz: w.tz, currentDate: new Date(now + 1) }).prev().getTime();
    return now - lastStart < ms(w.duration);
  });
}
