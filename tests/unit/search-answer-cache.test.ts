/**
 * The embedded engine's answer cache: an answer is served again only while the index is exactly as it was, every kind
 * of write makes it stale, answers cannot be changed by the caller they are shared with, and the cache stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { generateVacancies } from '../../src/demo/synthetic-vacancies.ts';
import { AnswerCache, answerKey } from '../../src/search/answer-cache.ts';
import { EmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { SearchQuery, type SearchQueryInput } from '../../src/search/search-engine.ts';
import { toVacancyDocument, type VacancyDocument } from '../../src/vacancies/vacancy.ts';

const NOW = Date.UTC(2026, 0, 15, 12);

function documents(count: number, seed: number, prefix: string): VacancyDocument[] {
  return generateVacancies(count, seed, NOW).map((v, i) =>
    toVacancyDocument({ ...v, id: `${prefix}-${i}`, createdAt: v.publishedAt }),
  );
}

async function engineWith(docs: VacancyDocument[]): Promise<EmbeddedSearchEngine> {
  const engine = new EmbeddedSearchEngine();
  await engine.upsert(docs);
  return engine;
}

const query = (input: SearchQueryInput) => SearchQuery.parse(input);
const ids = (result: { hits: Array<{ id: string }> }) => result.hits.map((h) => h.id);

describe('answer cache of the embedded engine', () => {
  const docs = documents(400, 3, 'cached');
  const lager = query({ q: 'Lager', perPage: 50 });

  it('serves a repeated query from the cache while the index is unchanged', async () => {
    const engine = await engineWith(docs);
    const first = await engine.search(lager);
    expect(first.total).toBeGreaterThan(0);
    expect(await engine.search(query({ q: 'Lager', perPage: 50 }))).toBe(first);
  });

  it('answers anew after an upsert, a removal, a clear, a rebuild and a restore', async () => {
    const engine = await engineWith(docs);
    const before = await engine.search(lager);

    const extra = { ...documents(1, 9, 'extra')[0], title: 'Fachkraft Lagerlogistik Zusatz' } as VacancyDocument;
    await engine.upsert([extra]);
    const afterUpsert = await engine.search(lager);
    expect(afterUpsert.total).toBe(before.total + 1);
    expect(ids(afterUpsert)).toContain(extra.id);

    await engine.remove([extra.id]);
    const afterRemove = await engine.search(lager);
    expect(afterRemove.total).toBe(before.total);
    expect(ids(afterRemove)).not.toContain(extra.id);

    const state = engine.toState();
    await engine.clear();
    expect((await engine.search(lager)).total).toBe(0);

    engine.restore(state);
    expect(ids(await engine.search(lager))).toEqual(ids(before));

    await engine.rebuild(async (write) => write(docs.slice(0, 100)));
    const rebuilt = await engine.search(lager);
    expect(rebuilt.total).toBeLessThan(before.total);
    expect(rebuilt).toEqual(await (await engineWith(docs.slice(0, 100))).search(lager));
  });

  it('gives the same answers as an engine that computes every query', async () => {
    const engine = await engineWith(docs);
    const queries = ['Lager', 'Pflege', 'Fahrer', 'e', 'Verkauf Teilzeit'].flatMap((q) => [
      query({ q }),
      query({ q, near: { lat: 48.78, lon: 9.18, radiusKm: 25 }, sort: 'distance' }),
      query({ q, workingTimes: ['teilzeit'], page: 2 }),
    ]);
    for (const round of [1, 2]) {
      for (const q of queries) {
        const fresh = await engineWith(docs);
        expect(await engine.search(q), `round ${round}: ${JSON.stringify(q)}`).toEqual(await fresh.search(q));
      }
    }
  });

  it('shares frozen answers, so a caller cannot change what the next one gets', async () => {
    const engine = await engineWith(docs);
    const answer = await engine.search(lager);
    expect(() => {
      (answer.hits as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (answer.facets.workingTimes as Record<string, number>).vollzeit = -1;
    }).toThrow(TypeError);
    expect(await engine.search(lager)).toEqual(answer);
  });

  it('computes every answer when told to keep none (what the search benchmarks time)', async () => {
    const engine = new EmbeddedSearchEngine({ keepAnswers: false });
    await engine.upsert(docs);
    const first = await engine.search(lager);
    const second = await engine.search(lager);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    expect(Object.isFrozen(second)).toBe(false);
  });

  it('never caches a query bounded by publication time, which the clock sets per request', async () => {
    const engine = await engineWith(docs);
    const recent = query({ q: 'Lager', publishedSince: NOW - 30 * 86_400_000 });
    expect(answerKey(recent)).toBeUndefined();
    const first = await engine.search(recent);
    expect(await engine.search(recent)).not.toBe(first);
  });

  it('keys every parameter that changes an answer', () => {
    const base: SearchQueryInput = { q: 'Lager', near: { lat: 48.78, lon: 9.18, radiusKm: 25 } };
    const variants: SearchQueryInput[] = [
      base,
      { ...base, q: 'Lagerist' },
      { ...base, near: { lat: 48.79, lon: 9.18, radiusKm: 25 } },
      { ...base, near: { lat: 48.78, lon: 9.19, radiusKm: 25 } },
      { ...base, near: { lat: 48.78, lon: 9.18, radiusKm: 10 } },
      { ...base, kldb: '51' },
      { ...base, workingTimes: ['teilzeit'] },
      { ...base, contractType: 'befristet' },
      { ...base, offerType: 'ausbildung' },
      { ...base, sort: 'date' },
      { ...base, page: 2 },
      { ...base, perPage: 30 },
    ];
    const keys = variants.map((v) => answerKey(query(v)));
    expect(new Set(keys).size).toBe(variants.length);
  });

  it('holds at most its capacity, dropping the least recently used answer first', async () => {
    const engine = await engineWith(docs);
    const cache = new AnswerCache(2);
    const answer = await engine.search(lager);
    cache.set('a', 1, answer);
    cache.set('b', 1, answer);
    expect(cache.get('a', 1)).toBe(answer); // now b is the least recently used
    cache.set('c', 1, answer);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)).toBe(answer);
    // Another version of the index: everything kept before is gone.
    expect(cache.get('a', 2)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
