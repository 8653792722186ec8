/** Dates as sources write them: ISO 8601 or German "dd.mm.yyyy". Anything else is no date. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;
const GERMAN_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$/;
const MIN_YEAR = 1990;
const MAX_YEAR = 2100;

function utcDate(year: number, month: number, day: number): Date | null {
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 31.02. over into March; a date that does not round-trip was not a date.
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : null;
}

export function parseDate(input: string | undefined): Date | null {
  const text = input?.trim();
  if (!text) return null;
  const german = text.match(GERMAN_DATE);
  if (german) {
    const year = Number(german[3]);
    return utcDate(year < 100 ? 2000 + year : year, Number(german[2]), Number(german[1]));
  }
  const iso = text.match(ISO_DATE);
  if (!iso) return null;
  const day = utcDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  if (!day) return null;
  if (text.length === 10) return day;
  const full = new Date(text);
  return Number.isNaN(full.getTime()) ? day : full;
}

/** Clock skew and typos put publication dates in the future; more than a day ahead counts as "now". */
const DAY_MS = 24 * 60 * 60 * 1000;
const FUTURE_TOLERANCE_MS = DAY_MS;

export interface VacancyDates {
  publishedAt: Date | null;
  validThrough: Date | null;
}

/**
 * Publication and expiry dates. An expiry before publication is a data error and dropped; an expiry in the past is
 * kept, so ingest can close the vacancy (see `isExpired`).
 */
export function vacancyDates(
  datePosted: string | undefined,
  validThrough: string | undefined,
  now: Date,
): VacancyDates {
  let publishedAt = parseDate(datePosted);
  if (publishedAt && publishedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) publishedAt = now;
  let until = parseDate(validThrough);
  if (until && publishedAt && until.getTime() < publishedAt.getTime()) until = null;
  return { publishedAt, validThrough: until };
}

/** True once the vacancy's expiry has passed; a bare date ("31.12.2025") is valid through that whole day. */
export function isExpired(v: { validThrough: Date | null }, now: Date): boolean {
  if (v.validThrough === null) return false;
  const t = v.validThrough.getTime();
  const end = t % DAY_MS === 0 ? t + DAY_MS : t;
  return end <= now.getTime();
}
