/**
 * The message catalogue of the pages. The kiosk speaks five interface languages (German complete, plus English,
 * Turkish, Ukrainian and Arabic); the signed-in pages are German only (`staff.de.ts`, `workbench.de.ts`).
 */
import { kioskAr } from './kiosk.ar.ts';
import { type KioskMessages, kioskDe } from './kiosk.de.ts';
import { kioskEn } from './kiosk.en.ts';
import { kioskTr } from './kiosk.tr.ts';
import { kioskUk } from './kiosk.uk.ts';

export type { KioskMessages, OccupationalField } from './kiosk.de.ts';

export const LANGUAGES = ['de', 'en', 'tr', 'uk', 'ar'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'de';

/** Each language named in itself, as the language switch shows it. */
export const LANGUAGE_NAMES: Record<Lang, string> = {
  de: 'Deutsch',
  en: 'English',
  tr: 'Türkçe',
  uk: 'Українська',
  ar: 'العربية',
};

const KIOSK: Record<Lang, KioskMessages> = { de: kioskDe, en: kioskEn, tr: kioskTr, uk: kioskUk, ar: kioskAr };

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The language a query parameter asks for; anything else (absent, unknown) is German. */
export function langOf(value: string | undefined): Lang {
  return isLang(value) ? value : DEFAULT_LANG;
}

export function textDirection(lang: Lang): 'ltr' | 'rtl' {
  return lang === 'ar' ? 'rtl' : 'ltr';
}

export function kioskMessages(lang: Lang): KioskMessages {
  return KIOSK[lang];
}
