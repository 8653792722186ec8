/** Dates, numbers and money in the interface language; one formatter per locale, built on first use. */
import type { KioskMessages } from '../messages/index.ts';

const dates = new Map<string, Intl.DateTimeFormat>();
const numbers = new Map<string, Intl.NumberFormat>();
const decimals = new Map<string, Intl.NumberFormat>();

function cached<T>(map: Map<string, T>, locale: string, make: () => T): T {
  let value = map.get(locale);
  if (!value) {
    value = make();
    map.set(locale, value);
  }
  return value;
}

export function formatDate(m: KioskMessages, date: Date | number): string {
  return cached(
    dates,
    m.locale,
    () =>
      new Intl.DateTimeFormat(m.locale, {
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        timeZone: 'Europe/Berlin',
      }),
  ).format(date);
}

export function formatCount(m: KioskMessages, n: number): string {
  return cached(numbers, m.locale, () => new Intl.NumberFormat(m.locale)).format(n);
}

export function formatKm(m: KioskMessages, km: number): string {
  return cached(decimals, m.locale, () => new Intl.NumberFormat(m.locale, { maximumFractionDigits: 1 })).format(km);
}

export function formatMoney(m: KioskMessages, amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(m.locale, { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount);
  } catch {
    // A currency code Intl does not know: the amount with the code as the source gave it.
    return `${formatCount(m, amount)} ${currency}`;
  }
}
