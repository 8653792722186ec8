/** German wording shared by constraint and explanation texts. */
import type { LanguageLevel, LanguageRequirement, Licence, WorkingTime } from '../../src/domain/enums.ts';
import { WORKING_TIME_LABEL } from '../../src/domain/enums.ts';

const LANGUAGE_NAME: Readonly<Record<string, string>> = {
  de: 'Deutsch',
  en: 'Englisch',
  fr: 'Französisch',
  it: 'Italienisch',
  es: 'Spanisch',
  tr: 'Türkisch',
  ar: 'Arabisch',
  ru: 'Russisch',
  uk: 'Ukrainisch',
  pl: 'Polnisch',
  ro: 'Rumänisch',
  hr: 'Kroatisch',
  el: 'Griechisch',
  fa: 'Persisch',
};

export function languageName(code: string): string {
  return LANGUAGE_NAME[code] ?? code.toUpperCase();
}

export function levelName(level: LanguageLevel): string {
  return level === 'native' ? 'Muttersprache' : level;
}

export function languageLabel(req: LanguageRequirement): string {
  return `${languageName(req.language)} ${levelName(req.level)}`;
}

export const LEVEL_SHORT: Readonly<Record<number, string>> = {
  1: 'Helfer',
  2: 'Fachkraft',
  3: 'Spezialist',
  4: 'Experte',
};

export function licenceLabel(licence: Licence): string {
  return licence === 'STAPLER' ? 'Staplerschein' : `Führerschein ${licence}`;
}

export function workingTimesLabel(times: readonly WorkingTime[]): string {
  return times.map((t) => WORKING_TIME_LABEL[t]).join(', ');
}

const DATE_FORMAT = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

export function formatDate(date: Date | number): string {
  return DATE_FORMAT.format(date);
}

export function formatKm(km: number): string {
  return `${Math.round(km)} km`;
}
