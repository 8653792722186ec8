import { describe, expect, it } from 'vitest';
import {
  addCalendarHours,
  addWorkingHours,
  dateOffset,
  dueTimes,
  isPublicHoliday,
  isWorkingDay,
  localTime,
  zonedInstant,
} from '../../src/sla/calendar.ts';
import { slaRules } from '../../src/sla/rules.ts';
import { stateOf } from '../../src/sla/state.ts';

/** A Berlin wall-clock time as an instant. */
const berlin = (y: number, m: number, d: number, h = 0, min = 0) =>
  zonedInstant({ year: y, month: m, day: d, hour: h, minute: min });

describe('Berlin wall-clock time', () => {
  it('converts both ways in winter and summer time', () => {
    expect(berlin(2026, 11, 20, 16).toISOString()).toBe('2026-11-20T15:00:00.000Z');
    expect(berlin(2026, 6, 3, 16).toISOString()).toBe('2026-06-03T14:00:00.000Z');
    expect(localTime(new Date('2026-06-03T14:00:00Z'))).toMatchObject({ year: 2026, month: 6, day: 3, hour: 16 });
  });
});

describe('Baden-Württemberg working days (date-holidays)', () => {
  it('knows BW-only holidays and skips bank days that are not public holidays', () => {
    expect(isPublicHoliday(2026, 1, 6)).toBe(true); // Heilige Drei Könige: BW, BY, ST only
    expect(isPublicHoliday(2026, 6, 4)).toBe(true); // Fronleichnam
    expect(isPublicHoliday(2026, 11, 1)).toBe(true); // Allerheiligen
    expect(isPublicHoliday(2026, 10, 31)).toBe(false); // Reformationstag: not in BW
    expect(isWorkingDay(2026, 12, 24)).toBe(true); // Heiligabend: a Thursday, no public holiday
    expect(isWorkingDay(2026, 11, 21)).toBe(false); // Saturday
  });
});

describe('the business calendar', () => {
  it('takes Friday 16:00 + 48 h to Tuesday 16:00', () => {
    expect(addWorkingHours(berlin(2026, 11, 20, 16), 48)).toEqual(berlin(2026, 11, 24, 16));
  });

  it('skips Epiphany (a Tuesday in 2026)', () => {
    // Monday 10:00: 14 h on Monday, Tuesday is a holiday, 24 h on Wednesday, 10 h on Thursday.
    expect(addWorkingHours(berlin(2026, 1, 5, 10), 48)).toEqual(berlin(2026, 1, 8, 10));
  });

  it('skips a weekend and Whit Monday together', () => {
    expect(addWorkingHours(berlin(2026, 5, 22, 16), 48)).toEqual(berlin(2026, 5, 27, 16));
  });

  it('skips Corpus Christi and the weekend after it', () => {
    expect(addWorkingHours(berlin(2026, 6, 3, 16), 48)).toEqual(berlin(2026, 6, 8, 16));
  });

  it('counts local working hours across the autumn clock change', () => {
    // Clocks go back on Sunday 25 Oct 2026; the due time is still 16:00 local on Tuesday.
    expect(addWorkingHours(berlin(2026, 10, 23, 16), 48)).toEqual(berlin(2026, 10, 27, 16));
  });

  it('starts counting at the next working day when received on a weekend', () => {
    expect(addWorkingHours(berlin(2026, 11, 21, 11), 24)).toEqual(berlin(2026, 11, 24, 0));
  });
});

describe('the clock calendar', () => {
  it('counts elapsed hours, so a clock change moves the local due time', () => {
    expect(addCalendarHours(berlin(2026, 10, 23, 16), 48, 'clock')).toEqual(berlin(2026, 10, 25, 15));
  });
});

describe('milestones', () => {
  it('puts the reminder at half time and the escalation at 40 of 48 hours', () => {
    const start = berlin(2026, 11, 20, 16);
    const clock = dueTimes(start, slaRules());
    expect(clock.reminderDueAt).toEqual(new Date(start.getTime() + 24 * 3_600_000));
    expect(clock.escalationDueAt).toEqual(new Date(start.getTime() + 40 * 3_600_000));
    expect(clock.dueAt).toEqual(new Date(start.getTime() + 48 * 3_600_000));
    const business = dueTimes(start, slaRules({ calendar: 'business' }));
    expect(business.reminderDueAt).toEqual(berlin(2026, 11, 23, 16));
    expect(business.escalationDueAt).toEqual(berlin(2026, 11, 24, 8));
    expect(business.dueAt).toEqual(berlin(2026, 11, 24, 16));
  });

  it('refuses rules with the reminder after the escalation', () => {
    expect(() => slaRules({ reminderShare: 0.9, escalationShare: 0.5 })).toThrow();
  });

  it('derives the state from due times and now', () => {
    const start = new Date('2026-11-20T15:00:00Z');
    const clock = { ...dueTimes(start, slaRules()), respondedAt: null, notApplicableAt: null };
    const at = (h: number) => new Date(start.getTime() + h * 3_600_000);
    expect(stateOf(clock, at(1))).toBe('open');
    expect(stateOf(clock, at(25))).toBe('at_risk');
    expect(stateOf(clock, at(41))).toBe('escalated');
    expect(stateOf(clock, at(49))).toBe('breached');
    expect(stateOf({ ...clock, respondedAt: at(47) }, at(49))).toBe('met');
    expect(stateOf({ ...clock, respondedAt: at(50) }, at(51))).toBe('met_late');
    expect(stateOf({ ...clock, notApplicableAt: at(10) }, at(60))).toBe('not_applicable');
    expect(stateOf({ ...clock, notApplicableAt: at(50) }, at(60))).toBe('breached');
  });
});

describe('follow-up dates', () => {
  it('adds days and months to a start date, at the task hour in Berlin', () => {
    const start = new Date('2026-01-31T00:00:00Z');
    expect(dateOffset(start, { days: 14, months: 0 }, 9)).toEqual(berlin(2026, 2, 14, 9));
    expect(dateOffset(start, { days: 0, months: 1 }, 9)).toEqual(berlin(2026, 2, 28, 9));
    expect(dateOffset(new Date('2026-03-02T00:00:00Z'), { days: 0, months: 3 }, 9)).toEqual(berlin(2026, 6, 2, 9));
  });
});
