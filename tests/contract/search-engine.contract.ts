/**
 * Behaviour every search adapter must show. Run it from a test file with the adapter's factory:
 * `describeSearchEngine('embedded', async () => new EmbeddedSearchEngine())`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_RESULT_WINDOW,
  type SearchEngine,
  SearchQuery,
  type SearchQueryInput,
  type SearchResult,
} from '../../src/search/search-engine.ts';
import type { VacancyDocument } from '../../src/vacancies/vacancy.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 15, 12);
const STUTTGART = { lat: 48.7784, lon: 9.18 };
const BOEBLINGEN = { lat: 48.6833, lon: 9.0167 };
const ESSLINGEN = { lat: 48.7406, lon: 9.3108 };
const LUDWIGSBURG = { lat: 48.8975, lon: 9.1916 };
const HAMBURG = { lat: 53.5511, lon: 9.9937 };

function vacancy(id: string, daysAgo: number, fields: Partial<VacancyDocument>): VacancyDocument {
  return {
    id,
    title: 'Mitarbeiter (m/w/d)',
    description: 'Wir suchen Verstärkung für unser Team. Deutschkenntnisse B1.',
    employerName: 'Beispiel Service GmbH',
    place: 'Stuttgart',
    plz: '70173',
    ...STUTTGART,
    kldbCode: null,
    kldbTitle: null,
    workingTimes: ['vollzeit'],
    contractType: 'unbefristet',
    offerType: 'arbeit',
    publishedAt: NOW - daysAgo * DAY,
    ...fields,
  };
}

/** Ids are unique per fixture; every fixture is obviously synthetic. */
const FIXTURES: VacancyDocument[] = [
  vacancy('koch-stuttgart', 1, {
    title: 'Koch / Köchin (m/w/d)',
    description: 'Die Beispiel Gastro GmbH sucht einen Koch für die Frühschicht. Hygieneschulung erforderlich.',
    employerName: 'Beispiel Gastro GmbH',
    kldbCode: '29302',
    kldbTitle: 'Köche/Köchinnen (ohne Spezialisierung) – fachlich ausgerichtete Tätigkeiten',
  }),
  vacancy('kuechenhilfe-boeblingen', 3, {
    title: 'Küchenhilfe (m/w/d)',
    description: 'Unterstützung in der Großküche, Spülen und Vorbereiten.',
    employerName: 'Muster Catering GmbH',
    place: 'Böblingen',
    plz: '71032',
    ...BOEBLINGEN,
    kldbCode: '29301',
    kldbTitle: 'Köche/Köchinnen (ohne Spezialisierung) – Helfer-/Anlerntätigkeiten',
    workingTimes: ['teilzeit', 'minijob'],
    contractType: 'befristet',
  }),
  vacancy('elektriker-esslingen', 5, {
    title: 'Elektriker (m/w/d)',
    description: 'Installation und Wartung elektrischer Anlagen. Führerschein B.',
    employerName: 'Beispiel Bau GmbH',
    place: 'Esslingen am Neckar',
    plz: '73728',
    ...ESSLINGEN,
    kldbCode: '26212',
    kldbTitle: 'Berufe in der Bauelektrik – fachlich ausgerichtete Tätigkeiten',
  }),
  vacancy('elektroniker-hamburg', 2, {
    title: 'Elektroniker für Betriebstechnik (m/w/d)',
    description: 'Instandhaltung von Produktionsanlagen im Schichtbetrieb.',
    employerName: 'Muster Technik AG',
    place: 'Hamburg',
    plz: '20095',
    ...HAMBURG,
    kldbCode: '26252',
    kldbTitle: 'Berufe in der elektrischen Betriebstechnik – fachlich ausgerichtete Tätigkeiten',
    workingTimes: ['vollzeit', 'schicht_nacht_wochenende'],
  }),
  vacancy('lagerhelfer-ludwigsburg', 4, {
    title: 'Lagerhelfer (m/w/d)',
    description: 'Kommissionieren und Verpacken von Waren. Staplerschein von Vorteil.',
    employerName: 'Muster Logistik GmbH',
    place: 'Ludwigsburg',
    plz: '71634',
    ...LUDWIGSBURG,
    kldbCode: '51311',
    kldbTitle: 'Berufe in der Lagerwirtschaft – Helfer-/Anlerntätigkeiten',
    workingTimes: ['schicht_nacht_wochenende'],
    contractType: 'befristet',
  }),
  vacancy('lagerist-boeblingen', 6, {
    title: 'Lagerist (m/w/d)',
    description: 'Wareneingang und Bestandsführung.',
    employerName: 'Beispiel Logistik GmbH',
    place: 'Böblingen',
    plz: '71032',
    ...BOEBLINGEN,
    kldbCode: '51312',
    kldbTitle: 'Berufe in der Lagerwirtschaft – fachlich ausgerichtete Tätigkeiten',
  }),
  vacancy('ausbildung-lager-stuttgart', 7, {
    title: 'Ausbildung Fachkraft für Lagerlogistik (m/w/d)',
    description: 'Dreijährige Ausbildung mit Berufsschule in Stuttgart.',
    employerName: 'Beispiel Logistik GmbH',
    kldbCode: '51312',
    kldbTitle: 'Berufe in der Lagerwirtschaft – fachlich ausgerichtete Tätigkeiten',
    offerType: 'ausbildung',
    contractType: 'befristet',
  }),
  vacancy('pflege-stuttgart', 8, {
    title: 'Pflegefachkraft (m/w/d)',
    description: 'Pflege und Betreuung in einem Pflegeheim.',
    employerName: 'Beispiel Pflege gGmbH',
    kldbCode: '81302',
    kldbTitle: 'Berufe in der Gesundheits- und Krankenpflege – fachlich ausgerichtete Tätigkeiten',
    workingTimes: ['teilzeit'],
  }),
  vacancy('empfang-ohne-ort', 9, {
    title: 'Mitarbeiter Empfang (m/w/d)',
    description: 'Telefonische Kundenbetreuung von zu Hause.',
    employerName: 'Demo Service GmbH',
    place: null,
    plz: null,
    lat: null,
    lon: null,
    workingTimes: ['heim_telearbeit'],
    contractType: null,
  }),
];

const ids = (result: SearchResult) => result.hits.map((hit) => hit.id);

export function describeSearchEngine(name: string, makeEngine: () => Promise<SearchEngine>): void {
  describe(`search engine contract: ${name}`, () => {
    let engine: SearchEngine;
    const search = (input: SearchQueryInput) => engine.search(SearchQuery.parse(input));

    beforeAll(async () => {
      engine = await makeEngine();
      await engine.init();
    });
    afterAll(async () => {
      await engine?.close();
    });
    beforeEach(async () => {
      await engine.clear();
      await engine.upsert(FIXTURES);
    });

    it('is healthy and counts what was upserted', async () => {
      expect(await engine.health()).toBe(true);
      expect(await engine.count()).toBe(FIXTURES.length);
    });

    it('gets one document by id, without its description', async () => {
      const doc = await engine.get('koch-stuttgart');
      expect(doc?.title).toBe('Koch / Köchin (m/w/d)');
      expect(doc).not.toHaveProperty('description');
      expect(await engine.get('unknown-id')).toBeUndefined();
    });

    it('finds by a title word and ranks the title match first', async () => {
      const result = await search({ q: 'Koch' });
      expect(ids(result)[0]).toBe('koch-stuttgart');
    });

    it('finds German inflections and umlaut spellings', async () => {
      expect(ids(await search({ q: 'Köche' }))).toContain('koch-stuttgart');
      expect(ids(await search({ q: 'Kuechenhilfe' }))).toContain('kuechenhilfe-boeblingen');
      expect(ids(await search({ q: 'küchenhilfe' }))).toContain('kuechenhilfe-boeblingen');
    });

    it('tolerates one typo in a longer word', async () => {
      expect(ids(await search({ q: 'Elektirker' }))).toContain('elektriker-esslingen');
    });

    it('completes the last word as a prefix', async () => {
      const elektr = ids(await search({ q: 'Elektr' }));
      expect(elektr).toEqual(expect.arrayContaining(['elektriker-esslingen', 'elektroniker-hamburg']));
      const lager = ids(await search({ q: 'Lager' }));
      expect(lager).toEqual(
        expect.arrayContaining(['lagerhelfer-ludwigsburg', 'lagerist-boeblingen', 'ausbildung-lager-stuttgart']),
      );
    });

    it('requires every word to match (title and place together)', async () => {
      const result = await search({ q: 'Lagerist Böblingen' });
      expect(ids(result)).toEqual(['lagerist-boeblingen']);
      expect((await search({ q: 'Koch Hamburg' })).total).toBe(0);
    });

    it('filters by working time (any of the given)', async () => {
      expect(ids(await search({ workingTimes: ['minijob'] }))).toEqual(['kuechenhilfe-boeblingen']);
      const either = ids(await search({ workingTimes: ['minijob', 'heim_telearbeit'] }));
      expect(either.sort()).toEqual(['empfang-ohne-ort', 'kuechenhilfe-boeblingen']);
    });

    it('filters by contract type, offer type and publication date', async () => {
      const befristet = ids(await search({ contractType: 'befristet' }));
      expect(befristet.sort()).toEqual([
        'ausbildung-lager-stuttgart',
        'kuechenhilfe-boeblingen',
        'lagerhelfer-ludwigsburg',
      ]);
      expect(ids(await search({ offerType: 'ausbildung' }))).toEqual(['ausbildung-lager-stuttgart']);
      const recent = ids(await search({ publishedSince: NOW - 2 * DAY }));
      expect(recent.sort()).toEqual(['elektroniker-hamburg', 'koch-stuttgart']);
    });

    it('filters by KldB code prefix at every level', async () => {
      expect(ids(await search({ kldb: '29' })).sort()).toEqual(['koch-stuttgart', 'kuechenhilfe-boeblingen']);
      expect(ids(await search({ kldb: '29302' }))).toEqual(['koch-stuttgart']);
      expect((await search({ kldb: '513' })).total).toBe(3);
      expect((await search({ kldb: '5' })).total).toBe(3);
      expect((await search({ kldb: '9' })).total).toBe(0);
    });

    it('filters by radius and reports distances', async () => {
      const result = await search({ near: { ...STUTTGART, radiusKm: 25 } });
      const found = ids(result);
      expect(found).toEqual(expect.arrayContaining(['kuechenhilfe-boeblingen', 'koch-stuttgart']));
      expect(found).not.toContain('elektroniker-hamburg');
      expect(found).not.toContain('empfang-ohne-ort');
      const boeblingen = result.hits.find((hit) => hit.id === 'kuechenhilfe-boeblingen');
      expect(boeblingen?.distanceKm).toBeGreaterThan(10);
      expect(boeblingen?.distanceKm).toBeLessThan(25);
      expect((await search({ q: 'Koch' })).hits[0]).not.toHaveProperty('distanceKm');
    });

    it('sorts by distance, nearest first', async () => {
      const result = await search({ near: { ...STUTTGART, radiusKm: 50 }, sort: 'distance' });
      const distances = result.hits.map((hit) => hit.distanceKm ?? Number.NaN);
      expect(distances.every(Number.isFinite)).toBe(true);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
      expect(result.hits.at(-1)?.id).toBe('lagerist-boeblingen');
    });

    it('sorts by date, newest first, and returns everything for an empty query', async () => {
      for (const input of [{}, { sort: 'date' as const }, { q: 'Lager', sort: 'date' as const }]) {
        const result = await search(input);
        const dates = result.hits.map((hit) => hit.publishedAt);
        expect(dates).toEqual([...dates].sort((a, b) => b - a));
      }
      const all = await search({ perPage: 100 });
      expect(all.total).toBe(FIXTURES.length);
      expect(all.totalExact).toBe(true);
      expect(ids(all)[0]).toBe('koch-stuttgart');
    });

    it('computes facets over the whole filtered result, not just the page', async () => {
      const result = await search({ q: 'Lager', perPage: 1 });
      expect(result.hits).toHaveLength(1);
      expect(result.total).toBe(3);
      const offerTotal = Object.values(result.facets.offerType).reduce((a, b) => a + b, 0);
      expect(offerTotal).toBe(result.total);
      expect(result.facets.offerType).toEqual({ arbeit: 2, ausbildung: 1 });
      expect(result.facets.kldb2).toEqual({ '51': 3 });
      expect(result.facets.contractType).toEqual({ befristet: 2, unbefristet: 1 });
      expect(result.facets.workingTimes).toEqual({ vollzeit: 2, schicht_nacht_wochenende: 1 });
    });

    it('pages through results without overlap', async () => {
      const page1 = await search({ perPage: 4, page: 1 });
      const page2 = await search({ perPage: 4, page: 2 });
      const page3 = await search({ perPage: 4, page: 3 });
      expect(page1.hits).toHaveLength(4);
      expect(page2.page).toBe(2);
      expect(page3.hits).toHaveLength(1);
      const seen = [...ids(page1), ...ids(page2), ...ids(page3)];
      expect(new Set(seen).size).toBe(FIXTURES.length);
      expect(page2.total).toBe(FIXTURES.length);
    });

    it('rejects queries beyond the result window or with a distance sort but no place', () => {
      expect(SearchQuery.safeParse({ page: MAX_RESULT_WINDOW / 20 + 1, perPage: 20 }).success).toBe(false);
      expect(SearchQuery.safeParse({ page: MAX_RESULT_WINDOW / 100, perPage: 100 }).success).toBe(true);
      expect(SearchQuery.safeParse({ perPage: 101 }).success).toBe(false);
      expect(SearchQuery.safeParse({ sort: 'distance' }).success).toBe(false);
      expect(SearchQuery.safeParse({ kldb: '2930x' }).success).toBe(false);
    });

    it('removes documents and ignores unknown ids', async () => {
      await engine.remove(['koch-stuttgart', 'never-existed']);
      expect(await engine.count()).toBe(FIXTURES.length - 1);
      expect(await engine.get('koch-stuttgart')).toBeUndefined();
      expect(ids(await search({ q: 'Koch' }))).not.toContain('koch-stuttgart');
    });

    it('replaces a document upserted again under the same id', async () => {
      const koch = FIXTURES[0] as VacancyDocument;
      const changed = {
        ...koch,
        title: 'Beikoch (m/w/d)',
        description: 'Aushilfe am Wochenende.',
        workingTimes: ['minijob' as const],
      };
      await engine.upsert([changed]);
      await engine.upsert([changed]);
      expect(await engine.count()).toBe(FIXTURES.length);
      expect((await engine.get(koch.id))?.title).toBe('Beikoch (m/w/d)');
      expect(ids(await search({ q: 'Hygieneschulung' }))).not.toContain(koch.id);
      expect(ids(await search({ q: 'Beikoch' }))).toEqual([koch.id]);
      expect(ids(await search({ workingTimes: ['minijob'] })).sort()).toEqual([koch.id, 'kuechenhilfe-boeblingen']);
    });

    it('clears everything', async () => {
      await engine.clear();
      expect(await engine.count()).toBe(0);
      expect((await search({})).total).toBe(0);
      expect((await search({ q: 'Koch' })).hits).toEqual([]);
    });

    it('finds vacancies by postcode', async () => {
      expect(ids(await search({ q: '73728' }))).toEqual(['elektriker-esslingen']);
      expect(ids(await search({ q: '71032' })).sort()).toEqual(['kuechenhilfe-boeblingen', 'lagerist-boeblingen']);
      expect(ids(await search({ q: 'Lagerist 71032' }))).toEqual(['lagerist-boeblingen']);
    });

    it('finds a vacancy with several places near any of them, at the distance of the nearest', async () => {
      await engine.upsert([
        vacancy('filialen-hamburg-ludwigsburg', 2, {
          title: 'Verkäufer Filiale (m/w/d)',
          place: 'Hamburg',
          plz: '20095',
          ...HAMBURG,
          places: [
            { place: 'Hamburg', plz: '20095', ...HAMBURG },
            { place: 'Ludwigsburg', plz: '71634', ...LUDWIGSBURG },
          ],
        }),
      ]);
      const nearStuttgart = await search({ near: { ...STUTTGART, radiusKm: 25 } });
      const hit = nearStuttgart.hits.find((h) => h.id === 'filialen-hamburg-ludwigsburg');
      expect(hit?.distanceKm).toBeGreaterThan(10);
      expect(hit?.distanceKm).toBeLessThan(20);
      const nearHamburg = await search({ near: { ...HAMBURG, radiusKm: 10 } });
      expect(ids(nearHamburg)).toContain('filialen-hamburg-ludwigsburg');
      expect(nearHamburg.hits.find((h) => h.id === 'filialen-hamburg-ludwigsburg')?.distanceKm).toBeLessThan(1);
      // The second place's name and postcode find it too, not only the main place's.
      expect(ids(await search({ q: 'Verkäufer Ludwigsburg' }))).toEqual(['filialen-hamburg-ludwigsburg']);
      expect(ids(await search({ q: 'Verkäufer 71634' }))).toEqual(['filialen-hamburg-ludwigsburg']);
    });

    it('rebuilds aside: the old index answers until the new one is complete, writes meanwhile reach both', async () => {
      const koch = FIXTURES[0] as VacancyDocument;
      const lagerist = FIXTURES.find((f) => f.id === 'lagerist-boeblingen') as VacancyDocument;
      const seenDuringBuild: number[] = [];
      await engine.rebuild(async (write) => {
        await write([koch]);
        seenDuringBuild.push((await search({})).total);
        // Another writer (the index follower) changes the index while the build runs.
        await engine.upsert([{ ...lagerist, title: 'Lagerist Nachtschicht (m/w/d)' }]);
        await engine.remove(['pflege-stuttgart']);
        seenDuringBuild.push((await search({})).total);
      });
      expect(seenDuringBuild).toEqual([FIXTURES.length, FIXTURES.length - 1]);
      expect(ids(await search({})).sort()).toEqual([koch.id, lagerist.id].sort());
      expect((await engine.get(lagerist.id))?.title).toBe('Lagerist Nachtschicht (m/w/d)');
      expect(await engine.count()).toBe(2);
    });

    it('keeps the old index when a rebuild fails', async () => {
      await expect(
        engine.rebuild(async (write) => {
          await write([FIXTURES[0] as VacancyDocument]);
          throw new Error('database gone');
        }),
      ).rejects.toThrow('database gone');
      expect(await engine.count()).toBe(FIXTURES.length);
      expect(ids(await search({ q: 'Lagerhelfer' }))).toEqual(['lagerhelfer-ludwigsburg']);
      // A later rebuild works again.
      await engine.rebuild(async (write) => write(FIXTURES));
      expect(await engine.count()).toBe(FIXTURES.length);
    });

    it('never hands out the description', async () => {
      for (const input of [{}, { q: 'Koch' }, { q: 'Hygieneschulung' }, { near: { ...STUTTGART, radiusKm: 100 } }]) {
        const result = await search({ ...input, perPage: 100 });
        for (const hit of result.hits) expect(hit).not.toHaveProperty('description');
      }
      expect(ids(await search({ q: 'Hygieneschulung' }))).toEqual(['koch-stuttgart']);
    });
  });
}
