/**
 * Pay as sources write it: amounts in German or English notation ("3.000,50", "45k", "45.000 – 55.000"), a range or
 * one figure, the currency and the period it refers to. One rule for every format: an amount is only taken with a
 * period the source states (a field or the wording near the figure); a bare number without one is left out, since
 * 3,000 a month and 3,000 a year are different jobs.
 */
import type { Salary } from '../domain/posting.ts';

export type SalaryPeriod = Salary['unit'];

const PERIOD_CUES: Array<[SalaryPeriod, RegExp]> = [
  [
    'hour',
    /stundenlohn|stundensatz|pro stunde|je stunde|in der stunde|stündlich|\/\s?std\b|\/\s?h\b|\bhourly|per hour|\bhour\b/i,
  ],
  [
    'month',
    /monatsgehalt|monatslohn|pro monat|je monat|im monat|monatlich|\/\s?monat|\/\s?mon\b|\/\s?mtl|\bmtl\.|per month|\bmonthly|\bmonth\b/i,
  ],
  [
    'year',
    /jahresgehalt|jahresbrutto|jahreslohn|pro jahr|je jahr|im jahr|jährlich|\/\s?jahr|p\.\s?a\.|per annum|per year|\byearly|\bannual|\byear\b/i,
  ],
];

/** The period a text states, if it states exactly one. */
export function periodOf(text: string | undefined): SalaryPeriod | undefined {
  if (!text) return undefined;
  const found = PERIOD_CUES.filter(([, cue]) => cue.test(text)).map(([period]) => period);
  return found.length === 1 ? found[0] : undefined;
}

/** schema.org unitText and the BA's words for a period. */
const PERIOD_WORDS: Record<string, SalaryPeriod> = {
  HOUR: 'hour',
  HOURLY: 'hour',
  STUNDE: 'hour',
  STUNDENLOHN: 'hour',
  MONTH: 'month',
  MONTHLY: 'month',
  MONAT: 'month',
  MONATSGEHALT: 'month',
  MONATLICH: 'month',
  YEAR: 'year',
  YEARLY: 'year',
  ANNUAL: 'year',
  JAHR: 'year',
  JAHRESGEHALT: 'year',
  JAEHRLICH: 'year',
};

/** A period named by a code word (schema.org `unitText`, BA `verguetungsangabe`); weeks and days have no fixed conversion. */
export function periodWord(word: unknown): SalaryPeriod | undefined {
  if (typeof word !== 'string') return undefined;
  const key = word.trim().toUpperCase().replace(/Ä/g, 'AE');
  return PERIOD_WORDS[key] ?? periodOf(word);
}

const SALARY_WORD = /gehalt|vergütung|verguetung|lohn|entgelt|bezahlung|verdienst|salary|pay\b|€|\beur\b/i;

/**
 * The period a page states for its pay: a period cue in a line that talks about pay. For a bare number in a
 * structured field, this is "the period the page states".
 */
export function periodStatedNearPay(text: string | undefined): SalaryPeriod | undefined {
  if (!text) return undefined;
  const periods = new Set<SalaryPeriod>();
  for (const line of text.split(/\n|(?<=[.!?])\s/)) {
    if (!SALARY_WORD.test(line)) continue;
    const period = periodOf(line);
    if (period) periods.add(period);
  }
  return periods.size === 1 ? [...periods][0] : undefined;
}

/** "3.000,50" → 3000.5, "45.000" → 45000, "45k" → 45000, "19,78" → 19.78, "3,000.50" → 3000.5. */
export function parseAmount(text: string): number | undefined {
  const match = text.trim().match(/^(\d{1,3}(?:[.,'’\s]\d{3})+|\d+)(?:([.,])(\d{1,2}))?\s*(k|tsd\.?|t€|t)?$/i);
  if (!match) return undefined;
  const whole = Number((match[1] as string).replace(/[.,'’\s]/g, ''));
  const cents = match[3] ? Number(`0.${match[3]}`) : 0;
  const value = (whole + cents) * (match[4] ? 1000 : 1);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

const AMOUNT = String.raw`\d{1,3}(?:[.,'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?\s*(?:k|tsd\.?|t€)?`;
const RANGE = new RegExp(String.raw`(${AMOUNT})\s*(?:€|eur|euro)?\s*(?:-|–|—|bis|to)\s*(${AMOUNT})`, 'i');
const SINGLE = new RegExp(String.raw`(?:ab|from|bis zu|up to|mindestens)?\s*(${AMOUNT})`, 'i');
const CURRENCIES: Array<[string, RegExp]> = [
  ['EUR', /€|\beur\b|euro/i],
  ['CHF', /\bchf\b/i],
  ['USD', /\$|\busd\b/i],
  ['GBP', /£|\bgbp\b/i],
];

function currencyOf(text: string, stated: string | undefined): string {
  const code = stated?.trim().toUpperCase();
  if (code && /^[A-Z]{3}$/.test(code)) return code;
  return CURRENCIES.find(([, cue]) => cue.test(text))?.[0] ?? 'EUR';
}

/** A salary from amounts and a period, or nothing when there is no amount or no period. */
export function salaryOf(input: {
  min?: number;
  max?: number;
  currency?: string;
  period: SalaryPeriod | undefined;
}): Salary | undefined {
  const valid = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined);
  let min = valid(input.min);
  let max = valid(input.max);
  if (!input.period || (min === undefined && max === undefined)) return undefined;
  if (min !== undefined && max !== undefined && min > max) [min, max] = [max, min];
  const currency = input.currency?.trim().toUpperCase();
  return {
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : 'EUR',
    unit: input.period,
  };
}

/**
 * A salary from a short text field ("45.000 – 55.000 € pro Jahr", "ab 16,50 €/Std.", "3.200 EUR brutto monatlich").
 * `statedPeriod` is the period a separate field gives; without one the text must name it.
 */
export function salaryFromText(
  text: string | undefined,
  opts: { period?: SalaryPeriod; currency?: string } = {},
): Salary | undefined {
  if (!text) return undefined;
  const line = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  const period = opts.period ?? periodOf(line);
  const currency = currencyOf(line, opts.currency);
  const range = line.match(RANGE);
  if (range) {
    return salaryOf({
      min: parseAmount(range[1] as string),
      max: parseAmount(range[2] as string),
      currency,
      period,
    });
  }
  const single = line.match(SINGLE);
  if (!single) return undefined;
  const amount = parseAmount(single[1] as string);
  const upTo = /bis zu|up to/i.test(single[0]);
  return salaryOf({
    min: upTo ? undefined : amount,
    max: upTo ? amount : /^\s*(?:ab|from|mindestens)/i.test(single[0]) ? undefined : amount,
    currency,
    period,
  });
}
