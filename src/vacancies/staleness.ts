/**
 * Postings without an end date that are old: boards keep listing ads long filled, so a vacancy without
 * `validThrough` first seen (or published) more than a configurable age ago is closed as stale, unless the
 * employer's own site or applicant-tracking system still lists it (src/vacancies/authority.ts).
 */

/**
 * Default age in days after which a vacancy without end date counts as stale. The configured value is passed in by
 * the caller (config: `VACANCY_STALE_AFTER_DAYS`).
 * @defaultValue 120
 */
export const STALE_AFTER_DAYS = 120;

const DAY_MS = 86_400_000;

/** Vacancies first seen or published before this instant are stale (when they have no end date). */
export function staleBefore(now: Date, staleAfterDays: number = STALE_AFTER_DAYS): Date {
  return new Date(now.getTime() - staleAfterDays * DAY_MS);
}

/** Stale by its own dates: no end date, and first seen or published before the limit. */
export function isStale(
  v: { validThrough: Date | null; publishedAt: Date | null; firstSeenAt: Date },
  now: Date,
  staleAfterDays: number = STALE_AFTER_DAYS,
): boolean {
  if (v.validThrough !== null) return false;
  const first = v.publishedAt && v.publishedAt < v.firstSeenAt ? v.publishedAt : v.firstSeenAt;
  return first < staleBefore(now, staleAfterDays);
}
