/**
 * The index settings the Meilisearch adapter needs, and the difference between them and what a server holds, so a
 * restart sends nothing when nothing changed (a settings change on a full index re-indexes every document).
 */
import type { Settings } from 'meilisearch';
import { SUMMARY_FIELDS } from '../vacancies/vacancy.ts';
import { MAX_RESULT_WINDOW } from './search-engine.ts';

/** The primary key: base64url of our id, because Meilisearch ids allow only [A-Za-z0-9_-]. */
export const PRIMARY_KEY = 'key';

const GERMAN_STOP_WORDS = ['der', 'die', 'das', 'und', 'oder', 'für', 'mit', 'in', 'im', 'zum', 'zur', 'als', 'ab'];
/** The "(m/w/d)" marker of job titles. */
const GENDER_MARKERS = ['m', 'w', 'd'];

/**
 * Meilisearch compares stop words before lower-casing (milli's stop-word tests: "they are case sensitive"), so
 * "Die" at the start of a title would be indexed and "DIE" in a query required. Each word therefore goes in as
 * typed, capitalised and upper case.
 */
export function stopWordVariants(words: readonly string[]): string[] {
  const variants = new Set<string>();
  for (const word of words) {
    variants.add(word);
    variants.add(word.charAt(0).toUpperCase() + word.slice(1));
    variants.add(word.toUpperCase());
  }
  return [...variants].sort();
}

export const SETTINGS = {
  // The embedded engine's fields and weights: title > occupation > employer, place, postcode > description.
  // `places.*`: a vacancy with several places is found by the name or postcode of any of them.
  searchableAttributes: [
    'title',
    'kldbTitle',
    'employerName',
    'place',
    'plz',
    'places.place',
    'places.plz',
    'description',
  ],
  // Only what a hit shows: a search key must not hand out the description (the DB serves it on the detail page).
  // The documents route ignores this setting, so the service's key needs no `documents.get` (see `get`).
  displayedAttributes: [...SUMMARY_FIELDS],
  filterableAttributes: [
    PRIMARY_KEY,
    '_geo',
    '_geojson',
    'kldb1',
    'kldb2',
    'kldb3',
    'kldb4',
    'kldbCode',
    'workingTimes',
    'contractType',
    'offerType',
    'publishedAt',
  ],
  sortableAttributes: ['publishedAt', '_geo'],
  // `sort` first: a date or distance sort orders every match (as the embedded engine does) instead of breaking
  // ties among equally relevant ones; without a sort parameter the rule does nothing. With matchingStrategy "all"
  // milli skips the `words` rule anyway. The newest vacancy wins a tie.
  rankingRules: ['sort', 'words', 'typo', 'proximity', 'attribute', 'exactness', 'publishedAt:desc'],
  localizedAttributes: [{ attributePatterns: ['*'], locales: ['deu'] }],
  stopWords: stopWordVariants([...GERMAN_STOP_WORDS, ...GENDER_MARKERS]),
  // Meilisearch's defaults (one typo from 5 letters, two from 9) suit German job titles; set explicitly so a
  // changed server default does not change our results.
  typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
  pagination: { maxTotalHits: MAX_RESULT_WINDOW },
  faceting: { maxValuesPerFacet: 100 },
} as const satisfies Settings;

type SettingsKey = keyof typeof SETTINGS;

/** Lists whose order means nothing; the server may return them sorted. */
const UNORDERED: ReadonlySet<SettingsKey> = new Set([
  'displayedAttributes',
  'filterableAttributes',
  'sortableAttributes',
  'stopWords',
]);

/**
 * The part of `desired` that `current` does not already hold. Objects compare by the keys we set (the server adds
 * its own defaults); lists compare in order except the unordered ones.
 */
export function settingsToApply(current: Settings, desired: Settings = SETTINGS): Settings {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired)) {
    const have = (current as Record<string, unknown>)[key];
    const unordered = UNORDERED.has(key as SettingsKey);
    if (!holds(have, value, unordered)) patch[key] = value;
  }
  return patch as Settings;
}

function holds(have: unknown, want: unknown, unordered = false): boolean {
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return false;
    if (unordered) {
      const key = (v: unknown) => JSON.stringify(typeof v === 'string' ? v.normalize('NFKD') : v);
      const rest = new Set(have.map(key));
      return want.every((v) => rest.has(key(v)));
    }
    return want.every((v, i) => holds(have[i], v));
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object') return false;
    return Object.entries(want).every(([k, v]) => holds((have as Record<string, unknown>)[k], v));
  }
  // The server stores stop words decomposed (charabia's compatibility decomposition: "ü" as "u" + U+0308).
  if (typeof have === 'string' && typeof want === 'string') return have.normalize('NFKD') === want.normalize('NFKD');
  return have === want;
}
