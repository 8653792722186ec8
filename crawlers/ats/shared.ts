/**
 * What the applicant-tracking systems' public job APIs have in common: JSON over GET through the polite fetcher, a
 * handful of employment-type words, salaries as min/max/period. Each system's module maps its own shape.
 */
import type { ContractType, OfferType, WorkingTime } from '../../src/domain/enums.ts';
import type { Salary } from '../../src/domain/posting.ts';
import { clean, compact } from '../common.ts';
import { CrawlError } from '../http/errors.ts';
import type { Validators } from '../http/fetcher.ts';
import type { CrawlContext } from '../types.ts';

export type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const objectsOf = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

export interface JsonPage {
  body: unknown;
  /** URL after redirects: links in the payload are resolved against it. */
  url: string;
  notModified: boolean;
  validators: Validators;
}

/**
 * One JSON document. A body that is not JSON (an HTML error page with status 200, a cut-off answer) is a `parse`
 * error naming the URL, thrown like the fetcher's own errors so the caller records it once.
 */
export async function fetchJson(
  context: CrawlContext,
  url: string,
  options: { conditional?: boolean } = {},
): Promise<JsonPage> {
  const response = await context.fetcher.fetch(url, {
    headers: { accept: 'application/json' },
    validators: options.conditional ? context.state.validators[url] : undefined,
  });
  if (response.notModified) {
    return { body: undefined, url: response.url, notModified: true, validators: response.validators };
  }
  try {
    return {
      body: JSON.parse(response.text()),
      url: response.url,
      notModified: false,
      validators: response.validators,
    };
  } catch (error) {
    throw new CrawlError('parse', `answer is not JSON: ${(error as Error).message}`.slice(0, 300), response.url);
  }
}

/** A URL with query parameters set (the source URL may carry its own). */
export function withQuery(url: string, params: Record<string, string | number>): string {
  const out = new URL(url);
  for (const [key, value] of Object.entries(params)) out.searchParams.set(key, String(value));
  return out.href;
}

/** Employment-type words of the systems (English codes and German labels), by what they say. */
const TIME_WORDS: Array<[RegExp, WorkingTime]> = [
  [/full[\s_-]?time|vollzeit/i, 'vollzeit'],
  [/part[\s_-]?time|teilzeit/i, 'teilzeit'],
  [/mini[\s_-]?job|geringf[üu]gig/i, 'minijob'],
];
const PERMANENT = /permanent|unbefristet|festanstellung/i;
const FIXED_TERM = /fixed[\s_-]?term|temporary|befristet|zeitvertrag/i;
const OFFER_WORDS: Array<[RegExp, OfferType]> = [
  [/intern(ship)?\b|praktikum|werkstudent/i, 'praktikum'],
  [/trainee(ship)?|apprentice(ship)?|ausbildung|azubi/i, 'ausbildung'],
  [/freelance|freiberuf|selbst[äa]ndig/i, 'selbstaendigkeit'],
];

/** Working times, contract and offer type a system's employment-type words state outright. */
export function employmentFacts(words: Array<string | undefined>): {
  employmentTypes: string[];
  workingTimes?: WorkingTime[];
  contractType?: ContractType;
  offerType?: OfferType;
} {
  const present = [...new Set(words.map(clean).filter((w) => w !== undefined))];
  const times = new Set<WorkingTime>();
  let contractType: ContractType | undefined;
  let offerType: OfferType | undefined;
  for (const word of present) {
    for (const [pattern, time] of TIME_WORDS) if (pattern.test(word)) times.add(time);
    // "unbefristet" contains "befristet": the permanent words are tested first.
    contractType ??= PERMANENT.test(word) ? 'unbefristet' : FIXED_TERM.test(word) ? 'befristet' : undefined;
    offerType ??= OFFER_WORDS.find(([pattern]) => pattern.test(word))?.[1];
  }
  return compact({
    employmentTypes: present.slice(0, 20),
    workingTimes: times.size > 0 ? [...times] : undefined,
    contractType,
    offerType,
  });
}

const PERIODS: Record<string, { unit: Salary['unit']; factor: number }> = {
  hour: { unit: 'hour', factor: 1 },
  hourly: { unit: 'hour', factor: 1 },
  month: { unit: 'month', factor: 1 },
  monthly: { unit: 'month', factor: 1 },
  year: { unit: 'year', factor: 1 },
  yearly: { unit: 'year', factor: 1 },
  annual: { unit: 'year', factor: 1 },
  week: { unit: 'year', factor: 52 },
  weekly: { unit: 'year', factor: 52 },
};

/** "2900.00" as the APIs write amounts, and "3.100,50" or "3100,50" as German boards type them. */
function amount(value: unknown): number | undefined {
  let parsed = value;
  if (typeof value === 'string') {
    const text = value.replace(/\s/g, '');
    const german = /^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+,\d+$/.test(text);
    parsed = Number(german ? text.replaceAll('.', '').replace(',', '.') : text);
  }
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}

/**
 * A salary from min, max, currency and a period word ("month", "per-year-salary", "hourly"). A day rate has no fixed
 * conversion and is left out, as is a salary without any amount.
 */
export function salaryOf(min: unknown, max: unknown, currency: unknown, period: unknown): Salary | undefined {
  const word = clean(period)
    ?.toLowerCase()
    .match(/hour|month|year|annual|week/)?.[0];
  const unit = PERIODS[word ?? 'year'];
  if (!unit || (clean(period) && !word)) return undefined;
  const scale = (n: number | undefined) => (n === undefined ? undefined : n * unit.factor);
  const low = scale(amount(min));
  const high = scale(amount(max));
  if (low === undefined && high === undefined) return undefined;
  const code = clean(currency)?.toUpperCase();
  return compact({
    min: low,
    max: high,
    currency: code && /^[A-Z]{3}$/.test(code) ? code : 'EUR',
    unit: unit.unit,
  }) as Salary;
}

/** An ISO timestamp from epoch milliseconds (Lever) or text; undefined when unreadable. */
export function isoDate(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  const text = clean(value);
  if (!text) return undefined;
  // Recruitee writes "2026-10-01 08:00:00 UTC".
  const parsed = Date.parse(text.replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/, '$1T$2Z'));
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

/** Several HTML sections as one text: each with its heading, empty ones left out. */
export function sections(parts: Array<[heading: string | undefined, text: string]>): string {
  return parts
    .filter(([, text]) => text.length > 0)
    .map(([heading, text]) => (heading ? `${heading}\n\n${text}` : text))
    .join('\n\n');
}
