/**
 * Time as the job centre counts it: wall-clock time in Europe/Berlin, working days without weekends and without
 * the public holidays of Baden-Württemberg.
 *
 * Holidays come from `date-holidays`: actively maintained, widely used, and its data distinguish public holidays
 * from bank holidays and observances per state (so Heiligabend, a half "bank" day, does not count, while Epiphany
 * and Corpus Christi, public holidays in BW but not everywhere, do). `feiertagejs` would cover Germany too, but with
 * a far smaller user base; a hand-kept list would need yearly care and gets Easter-dependent dates wrong.
 *
 * Zone arithmetic uses the platform's Intl time-zone data (no library): local date and time of an instant, and the
 * instant of a local date and time.
 */
import Holidays from 'date-holidays';
import type { FollowUpOffset, SlaRules } from './rules.ts';
import { HOLIDAY_REGION, TIME_ZONE } from './rules.ts';

const HOUR_MS = 3_600_000;

export interface LocalTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local date and time of an instant. */
export function localTime(instant: Date, timeZone = TIME_ZONE): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: parts.hour as number,
    minute: parts.minute as number,
    second: parts.second as number,
  };
}

/** Offset of local time from UTC at an instant, in ms (Berlin: +1 h in winter, +2 h in summer). */
function offsetMs(instant: Date, timeZone: string): number {
  const l = localTime(instant, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant of a local date and time; day and month may overflow (day 32 is the 1st of the next month). A local
 * time skipped by the spring change resolves to the instant one hour later; an ambiguous autumn time to the first.
 */
export function zonedInstant(
  local: { year: number; month: number; day: number; hour?: number; minute?: number },
  timeZone = TIME_ZONE,
): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour ?? 0, local.minute ?? 0);
  // Two rounds: the offset at the first guess may differ from the one at the result across a change.
  let guess = wall - offsetMs(new Date(wall), timeZone);
  guess = wall - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

const holidays = new Holidays(HOLIDAY_REGION.country, HOLIDAY_REGION.state, { types: ['public'] });
const holidaysByYear = new Map<number, Set<string>>();

function holidaySet(year: number): Set<string> {
  let set = holidaysByYear.get(year);
  if (!set) {
    set = new Set(
      holidays
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    holidaysByYear.set(year, set);
  }
  return set;
}

const isoDate = (year: number, month: number, day: number) =>
  `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** A public holiday in Baden-Württemberg on this local date. */
export function isPublicHoliday(year: number, month: number, day: number): boolean {
  return holidaySet(year).has(isoDate(year, month, day));
}

/** Monday to Friday and no public holiday in Baden-Württemberg. */
export function isWorkingDay(year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !isPublicHoliday(year, month, day);
}

/**
 * Adds hours that count only on working days: every hour of a working day counts, no hour of a weekend or holiday.
 * A start on a non-working day counts from the next working day's midnight.
 */
export function addWorkingHours(start: Date, hours: number, timeZone = TIME_ZONE): Date {
  let remaining = hours * HOUR_MS;
  let t = start.getTime();
  // A bound rather than `for (;;)`: even 30 days of hours across the longest holiday run end well within it.
  for (let guard = 0; guard < 10_000; guard++) {
    const l = localTime(new Date(t), timeZone);
    const nextMidnight = zonedInstant({ year: l.year, month: l.month, day: l.day + 1 }, timeZone).getTime();
    if (isWorkingDay(l.year, l.month, l.day)) {
      const available = nextMidnight - t;
      if (remaining <= available) return new Date(t + remaining);
      remaining -= available;
    }
    t = nextMidnight;
  }
  throw new Error('addWorkingHours: no working day found');
}

/** `hours` later on the given calendar: clock hours, or working-day hours. */
export function addCalendarHours(start: Date, hours: number, calendar: SlaRules['calendar']): Date {
  return calendar === 'business' ? addWorkingHours(start, hours) : new Date(start.getTime() + hours * HOUR_MS);
}

export interface DueTimes {
  reminderDueAt: Date;
  escalationDueAt: Date;
  dueAt: Date;
}

/** The milestones of a clock started at `startedAt`, on the rules' calendar. */
export function dueTimes(startedAt: Date, rules: SlaRules): DueTimes {
  const at = (share: number) => addCalendarHours(startedAt, rules.responseHours * share, rules.calendar);
  return {
    reminderDueAt: at(rules.reminderShare),
    escalationDueAt: at(rules.escalationShare),
    dueAt: at(1),
  };
}

/**
 * A date-based due time: a calendar date (as stored in a `date` column, UTC midnight) plus months and days, at the
 * given local hour. Months keep the day where it exists and otherwise take the month's last day (31 Jan + 1 month
 * is 28/29 Feb).
 */
export function dateOffset(date: Date, offset: FollowUpOffset, hour: number, timeZone = TIME_ZONE): Date {
  const year = date.getUTCFullYear();
  const monthIndex = date.getUTCMonth() + offset.months;
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
  const shifted = new Date(Date.UTC(year, monthIndex, Math.min(date.getUTCDate(), lastDay)));
  return zonedInstant(
    {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate() + offset.days,
      hour,
    },
    timeZone,
  );
}

/** The local calendar date of an instant, as a `date` column holds it (UTC midnight). */
export function localDate(instant: Date, timeZone = TIME_ZONE): Date {
  const l = localTime(instant, timeZone);
  return new Date(Date.UTC(l.year, l.month - 1, l.day));
}

/** The Monday (YYYY-MM-DD) of the local week of an instant. */
export function weekStart(instant: Date, timeZone = TIME_ZONE): string {
  const l = localTime(instant, timeZone);
  const day = new Date(Date.UTC(l.year, l.month - 1, l.day));
  const monday = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
  return monday.toISOString().slice(0, 10);
}
