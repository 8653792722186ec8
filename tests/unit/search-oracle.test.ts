/**
 * The embedded engine against a naive scan written from the documented rules (docs/search-engine.md): every live
 * document analysed on its own, each query word expanded through a vocabulary fed the same words, scored per word as
 * the best field weight × term quality, filtered on the document objects, fully sorted. Same hits in the same order,
 * same totals, same facets, for a few hundred generated queries, after a build and after updates and removals enough
 * to purge the posting lists and reuse slots.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/demo/random.ts';
import { generateVacancies } from '../../src/demo/synthetic-vacancies.ts';
import { distanceKm } from '../../src/geo/plz.ts';
import { EmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { analyse, isStopWord, stem, words } from '../../src/search/german.ts';
import { SearchQuery, type SearchQueryInput, type SearchResult } from '../../src/search/search-engine.ts';
import { Vocabulary } from '../../src/search/vocabulary.ts';
import { placesOf, toVacancyDocument, type VacancyDocument } from '../../src/vacancies/vacancy.ts';

const NOW = Date.UTC(2026, 0, 15, 12);
const DOCS = 2_500;

/** The documented fields and weights, written out again here on purpose: the oracle must not share the engine's. */
const FIELDS: Array<[weight: number, text: (d: VacancyDocument) => string]> = [
  [3, (d) => d.title],
  [1.5, (d) => d.kldbTitle ?? ''],
  [
    1,
    (d) => [d.employerName, ...placesOf(d).flatMap((p) => [p.place, p.plz]), d.description].filter(Boolean).join(' '),
  ],
];
const completable = (d: VacancyDocument) =>
  [d.title, d.kldbTitle, d.employerName, ...placesOf(d).map((p) => p.place)].join(' ');

class NaiveIndex {
  readonly docs = new Map<string, { doc: VacancyDocument; terms: Array<Set<string>> }>();
  readonly vocabulary = new Vocabulary();

  upsert(doc: VacancyDocument): void {
    const terms = FIELDS.map(([, text]) => {
      const set = new Set<string>();
      for (const { word, term } of analyse(text(doc))) {
        this.vocabulary.add(word, term, false);
        set.add(term);
      }
      return set;
    });
    for (const { word, term } of analyse(completable(doc))) this.vocabulary.add(word, term, true);
    this.docs.set(doc.id, { doc, terms });
  }

  search(query: SearchQuery): SearchResult {
    const typed = words(query.q ?? '')
      .filter((w) => !isStopWord(w))
      .slice(0, 8);
    const expanded = typed.map((word, i) => {
      const terms = new Map<string, number>();
      const offer = (term: string, q: number) => terms.set(term, Math.max(terms.get(term) ?? 0, q));
      if (i === typed.length - 1) for (const t of this.vocabulary.completions(word, 20)) offer(t, 0.75);
      if (word.length >= 5) for (const t of this.vocabulary.neighbours(word)) offer(t, 0.5);
      offer(stem(word), 1);
      return terms;
    });
    const found: Array<{ doc: VacancyDocument; score: number; km: number }> = [];
    for (const { doc, terms } of this.docs.values()) {
      let score = 0;
      let all = true;
      for (const word of expanded) {
        let best = 0;
        for (const [term, quality] of word) {
          FIELDS.forEach(([weight], f) => {
            if (terms[f]?.has(term)) best = Math.max(best, weight * quality);
          });
        }
        if (best === 0) all = false;
        score += best;
      }
      if (!all) continue;
      if (query.kldb && !(doc.kldbCode && /^\d{5}$/.test(doc.kldbCode) && doc.kldbCode.startsWith(query.kldb)))
        continue;
      if (query.workingTimes && !doc.workingTimes.some((t) => query.workingTimes?.includes(t))) continue;
      if (query.contractType && doc.contractType !== query.contractType) continue;
      if (query.offerType && doc.offerType !== query.offerType) continue;
      if (query.publishedSince !== undefined && doc.publishedAt < query.publishedSince) continue;
      let km = 0;
      if (query.near) {
        const near = query.near;
        const places = [{ lat: doc.lat, lon: doc.lon }, ...(doc.places ?? [])];
        const distances = places
          .filter((p) => p.lat !== null && p.lon !== null)
          .map((p) => distanceKm(near, { lat: p.lat as number, lon: p.lon as number }))
          .filter((d) => d <= near.radiusKm);
        if (distances.length === 0) continue;
        km = Math.min(...distances);
      }
      found.push({ doc, score, km });
    }
    const byDate = (a: (typeof found)[number], b: (typeof found)[number]) => b.doc.publishedAt - a.doc.publishedAt;
    found.sort((a, b) =>
      query.sort === 'distance'
        ? a.km - b.km || byDate(a, b)
        : query.sort === 'relevance' && expanded.length
          ? b.score - a.score || byDate(a, b)
          : byDate(a, b),
    );
    const facets: SearchResult['facets'] = { workingTimes: {}, offerType: {}, contractType: {}, kldb2: {} };
    const bump = <K extends string>(counts: Partial<Record<K, number>>, key: K) => {
      counts[key] = (counts[key] ?? 0) + 1;
    };
    for (const { doc } of found) {
      for (const t of new Set(doc.workingTimes)) bump(facets.workingTimes, t);
      bump(facets.offerType, doc.offerType);
      if (doc.contractType) bump(facets.contractType, doc.contractType);
      if (doc.kldbCode && /^\d{5}$/.test(doc.kldbCode)) bump(facets.kldb2, doc.kldbCode.slice(0, 2));
    }
    const page = found.slice((query.page - 1) * query.perPage, query.page * query.perPage);
    return {
      hits: page.map(({ doc, km }) => ({
        id: doc.id,
        ...(query.near ? { distanceKm: Math.round(km * 10) / 10 } : {}),
      })),
      total: found.length,
      totalExact: true,
      facets,
      page: query.page,
      perPage: query.perPage,
    } as SearchResult;
  }
}

/** Ids and distances of the hits, totals and facets: what the oracle can say. */
function comparable(result: SearchResult) {
  const sorted = <T>(counts: Record<string, T>) => Object.fromEntries(Object.entries(counts).sort());
  return {
    hits: result.hits.map((h) => (h.distanceKm === undefined ? { id: h.id } : { id: h.id, distanceKm: h.distanceKm })),
    total: result.total,
    facets: {
      workingTimes: sorted(result.facets.workingTimes),
      offerType: sorted(result.facets.offerType),
      contractType: sorted(result.facets.contractType),
      kldb2: sorted(result.facets.kldb2),
    },
  };
}

function generatedQueries(docs: VacancyDocument[], count: number, seed: number): SearchQueryInput[] {
  const random = createRandom(seed);
  const titleWords = [...new Set(docs.flatMap((d) => d.title.split(/[^\p{L}]+/u)).filter((w) => w.length > 2))];
  const pick = <T>(list: readonly T[]) => list[random.int(0, list.length - 1)] as T;
  const queries: SearchQueryInput[] = [{}, { q: 'e' }, { q: 'mitarbeiter helfer' }, { page: 3, perPage: 50 }];
  while (queries.length < count) {
    const word = pick(titleWords);
    const shape = random.int(0, 9);
    const q =
      shape < 2
        ? word.slice(0, random.int(1, 4))
        : shape < 4
          ? `${word.slice(0, 2)}${word.slice(3)}` // one letter dropped: a typo
          : shape < 6
            ? `${word} ${pick(titleWords)}`
            : shape === 6
              ? undefined
              : word;
    const input: SearchQueryInput = { q };
    if (random.chance(0.4)) {
      input.near = {
        lat: 48.78 + random.int(-40, 40) / 100,
        lon: 9.18 + random.int(-40, 40) / 100,
        radiusKm: pick([5, 15, 50]),
      };
    }
    if (random.chance(0.3)) input.workingTimes = [pick(['vollzeit', 'teilzeit', 'minijob'] as const)];
    if (random.chance(0.15))
      input.kldb = String(random.int(1, 9)) + (random.chance(0.5) ? String(random.int(0, 9)) : '');
    if (random.chance(0.1)) input.contractType = pick(['befristet', 'unbefristet'] as const);
    if (random.chance(0.1)) input.offerType = pick(['arbeit', 'ausbildung'] as const);
    if (random.chance(0.1)) input.publishedSince = NOW - random.int(1, 30) * 86_400_000;
    input.sort = input.near && random.chance(0.3) ? 'distance' : random.chance(0.2) ? 'date' : 'relevance';
    if (random.chance(0.2)) input.page = random.int(1, 4);
    queries.push(input);
  }
  return queries;
}

describe('embedded engine equals a naive scan of the documented rules', () => {
  // Dates made unique: the engine breaks date ties by slot, which a scan over documents cannot know.
  const docs = generateVacancies(DOCS, 11, NOW).map((v, i) =>
    toVacancyDocument({
      ...v,
      id: `oracle-${i}`,
      createdAt: v.publishedAt,
      publishedAt: new Date(v.publishedAt.getTime() + i),
    }),
  );
  const engine = new EmbeddedSearchEngine();
  const naive = new NaiveIndex();
  const queries = generatedQueries(docs, 300, 5).map((input) => SearchQuery.parse(input));

  const expectEqual = async () => {
    let matched = 0;
    for (const query of queries) {
      const expected = comparable(naive.search(query));
      expect(comparable(await engine.search(query)), JSON.stringify(query)).toEqual(expected);
      if (expected.total > 0) matched++;
    }
    // The comparison means something only if many queries find something.
    expect(matched).toBeGreaterThan(queries.length / 3);
  };

  beforeAll(async () => {
    for (let i = 0; i < docs.length; i += 500) await engine.upsert(docs.slice(i, i + 500));
    for (const doc of docs) naive.upsert(doc);
  });

  // A naive scan of every query over every document: seconds on a busy machine, not a timing assertion.
  it('after a build', { timeout: 60_000 }, async () => {
    await expectEqual();
  });

  it('after updates and removals that purge the posting lists and reuse slots', { timeout: 60_000 }, async () => {
    // Every document replaced twice: more released slots than the compaction threshold.
    for (const round of [1, 2]) {
      const changed = docs.map((d, i) => ({
        ...d,
        title: i % 3 === 0 ? `${d.title} Springer` : d.title,
        publishedAt: d.publishedAt + round * DOCS,
      }));
      await engine.upsert(changed);
      for (const doc of changed) naive.upsert(doc);
    }
    const removed = docs.filter((_, i) => i % 4 === 1).map((d) => d.id);
    await engine.remove(removed);
    for (const id of removed) naive.docs.delete(id);
    const added = generateVacancies(600, 12, NOW).map((v, i) =>
      toVacancyDocument({ ...v, id: `oracle-added-${i}`, createdAt: v.publishedAt, publishedAt: new Date(NOW + i) }),
    );
    await engine.upsert(added);
    for (const doc of added) naive.upsert(doc);
    queries.push(
      SearchQuery.parse({ q: 'Springer' }),
      SearchQuery.parse({ q: 'Springer', sort: 'date', perPage: 100 }),
    );

    expect(await engine.count()).toBe(naive.docs.size);
    await expectEqual();
  });
});
