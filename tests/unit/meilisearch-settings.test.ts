import { describe, expect, it } from 'vitest';
import { payloads, toMeiliVacancy } from '../../src/search/meilisearch-documents.ts';
import { SETTINGS, settingsToApply, stopWordVariants } from '../../src/search/meilisearch-settings.ts';
import { checkServerVersion, isAtLeast, parseVersion } from '../../src/search/meilisearch-version.ts';
import type { VacancyDocument } from '../../src/vacancies/vacancy.ts';

/** What GET /indexes/{uid}/settings answers once our settings are applied: sorted sets and the server's own keys. */
function serverView(): Record<string, unknown> {
  return {
    ...SETTINGS,
    displayedAttributes: [...SETTINGS.displayedAttributes].reverse(),
    stopWords: SETTINGS.stopWords.map((w) => w.normalize('NFKD')).sort(),
    typoTolerance: {
      ...SETTINGS.typoTolerance,
      disableOnWords: [],
      disableOnAttributes: [],
      disableOnNumbers: false,
    },
    faceting: { maxValuesPerFacet: 100, sortFacetValuesBy: { '*': 'alpha' } },
    synonyms: {},
    distinctAttribute: null,
  };
}

describe('Meilisearch settings', () => {
  it('sends nothing when the server holds our settings, whatever order and extra keys it answers with', () => {
    expect(settingsToApply(serverView())).toEqual({});
  });

  it('sends only what differs, and notices a changed ranking order', () => {
    const old = { ...serverView(), rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness'] };
    expect(settingsToApply(old)).toEqual({ rankingRules: SETTINGS.rankingRules });
    const noPlz = {
      ...serverView(),
      searchableAttributes: ['title', 'kldbTitle', 'employerName', 'place', 'description'],
    };
    expect(Object.keys(settingsToApply(noPlz))).toEqual(['searchableAttributes']);
    expect(Object.keys(settingsToApply({}))).toEqual(Object.keys(SETTINGS));
  });

  it('lists every stop word lower case, capitalised and upper case', () => {
    expect(stopWordVariants(['für', 'd'])).toEqual(['D', 'FÜR', 'Für', 'd', 'für']);
  });
});

describe('Meilisearch server version', () => {
  it('reads release and pre-release versions and compares them', () => {
    expect(parseVersion('v1.28.0-rc.1')).toEqual([1, 28, 0]);
    expect(parseVersion('nightly')).toBeUndefined();
    expect(isAtLeast([1, 28, 0], [1, 28, 0])).toBe(true);
    expect(isAtLeast([2, 0, 0], [1, 28, 0])).toBe(true);
    expect(isAtLeast([1, 9, 9], [1, 28, 0])).toBe(false);
  });

  it('refuses older and unreadable versions and accepts newer ones', () => {
    expect(() => checkServerVersion('1.24.0')).toThrow(/too old/);
    expect(() => checkServerVersion('unknown')).toThrow(/not a version number/);
    expect(() => checkServerVersion('1.28.0')).not.toThrow();
    expect(() => checkServerVersion('1.50.0')).not.toThrow();
  });
});

describe('Meilisearch payloads', () => {
  const doc = (n: number, description: string): VacancyDocument => ({
    id: `synthetic-${n}`,
    title: 'Testberuf',
    description,
    employerName: null,
    place: null,
    plz: null,
    lat: null,
    lon: null,
    places: [],
    kldbCode: null,
    kldbTitle: null,
    workingTimes: [],
    contractType: null,
    offerType: 'arbeit',
    publishedAt: 0,
  });

  it('measures UTF-8 bytes, keeps each payload within the limit and every document once, in order', () => {
    // Umlauts take two bytes each: counting characters would overshoot.
    const docs = Array.from({ length: 50 }, (_, i) => toMeiliVacancy(doc(i, 'ä'.repeat(500 + i * 20))));
    const batches = [...payloads(docs, 4_000, 1000)];
    expect(batches.length).toBeGreaterThan(10);
    for (const batch of batches) {
      expect(Buffer.byteLength(batch.json, 'utf8')).toBe(batch.bytes);
      expect(batch.bytes).toBeLessThanOrEqual(4_000);
      expect(JSON.parse(batch.json)).toEqual(batch.docs);
    }
    expect(batches.flatMap((b) => b.docs.map((d) => d.id))).toEqual(docs.map((d) => d.id));
  });

  it('also stops at the document count, and gives an oversized document a payload of its own', () => {
    const docs = [doc(1, 'x'), doc(2, 'y'.repeat(10_000)), doc(3, 'z'), doc(4, 'z')].map(toMeiliVacancy);
    const batches = [...payloads(docs, 5_000, 2)].map((b) => b.docs.map((d) => d.id));
    expect(batches).toEqual([['synthetic-1'], ['synthetic-2'], ['synthetic-3', 'synthetic-4']]);
  });
});
