/** Dates and durations as people at the job centre read them: German format, Berlin time. */
import { TIME_ZONE } from '../../src/sla/rules.ts';
import { W } from '../messages/workbench.de.ts';

const dateTime = new Intl.DateTimeFormat('de-DE', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const dateOnly = new Intl.DateTimeFormat('de-DE', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});
const isoDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** "20.11.2026, 10:00 Uhr" in Berlin time. */
export function formatDateTime(d: Date | null | undefined): string {
  if (!d) return W.common.none;
  return `${dateTime.format(d)} ${W.time.clockSuffix}`;
}

/** "20.11.2026" in Berlin time. */
export function formatDate(d: Date | null | undefined): string {
  return d ? dateOnly.format(d) : W.common.none;
}

/** A stored calendar day (UTC midnight) as "20.11.2026", without a zone shift. */
export function formatDay(d: Date | null | undefined): string {
  if (!d) return W.common.none;
  const [y, m, day] = d.toISOString().slice(0, 10).split('-');
  return `${day}.${m}.${y}`;
}

/** The Berlin calendar day of an instant as YYYY-MM-DD, for date inputs. */
export function berlinDay(d: Date): string {
  return isoDay.format(d);
}

/** A span in words: "3 Min.", "5 Std. 20 Min.", "2 Tage 4 Std." */
export function formatSpan(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  if (minutes < 60) return W.time.minutes(minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return W.time.hoursMinutes(hours, minutes % 60);
  return W.time.daysHours(Math.floor(hours / 24), hours % 24);
}

/** "noch 5 Std. 20 Min." or "seit 2 Std. überfällig". */
export function timeLeft(due: Date, now: Date): string {
  const ms = due.getTime() - now.getTime();
  return ms >= 0 ? W.time.left(formatSpan(ms)) : W.time.overdue(formatSpan(ms));
}
