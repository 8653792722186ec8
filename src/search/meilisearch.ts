/**
 * Search adapter for Meilisearch (scale-out mode, `MEILI_URL`), written against the official client's typings.
 * Every write waits for its task and turns a failed or cancelled task into an error, so the index queue retries
 * instead of believing a batch landed. Differences from the embedded engine (no German stemming, typo rules of
 * Meilisearch) are listed in docs/search-engine.md.
 */
import {
  type EnqueuedTaskPromise,
  type Filter,
  type Index,
  Meilisearch,
  MeilisearchApiError,
  type SearchParams,
  type Settings,
  type Task,
} from 'meilisearch';
import { OfferType } from '../domain/enums.ts';
import { SUMMARY_FIELDS, type VacancyDocument, type VacancySummary } from '../vacancies/vacancy.ts';
import { nearestKm, nearestPlaceFirst } from './nearest-place.ts';
import {
  emptyFacets,
  MAX_RESULT_WINDOW,
  type SearchEngine,
  type SearchFacets,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
} from './search-engine.ts';

export interface MeilisearchEngineOptions {
  /** e.g. "http://127.0.0.1:7700". */
  host: string;
  apiKey?: string;
  /** @defaultValue "vacancies" */
  indexUid?: string;
  /** Documents per addDocuments call. @defaultValue 1000 */
  batchSize?: number;
  /** How long to wait for one task. @defaultValue 120000 */
  taskTimeoutMs?: number;
}

/** What Meilisearch stores per vacancy: the document plus derived filter fields. */
interface MeiliVacancy extends VacancyDocument {
  /** Primary key: the id in base64url, because Meilisearch ids allow only [A-Za-z0-9_-]. */
  key: string;
  kldb1: string | null;
  kldb2: string | null;
  kldb3: string | null;
  kldb4: string | null;
  _geo: { lat: number; lng: number } | null;
}

const FACETS = ['workingTimes', 'offerType', 'contractType', 'kldb2'] as const;

const SETTINGS: Settings = {
  searchableAttributes: ['title', 'kldbTitle', 'employerName', 'place', 'description'],
  filterableAttributes: [
    '_geo',
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
  // The defaults, with the newest vacancy winning a tie.
  rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness', 'publishedAt:desc'],
  localizedAttributes: [{ attributePatterns: ['*'], locales: ['deu'] }],
  stopWords: ['der', 'die', 'das', 'und', 'oder', 'für', 'mit', 'in', 'im', 'zum', 'zur', 'als', 'ab', 'm', 'w', 'd'],
  // Meilisearch's defaults (one typo from 5 letters, two from 9) suit German job titles; set explicitly so a
  // changed server default does not change our results.
  typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
  pagination: { maxTotalHits: MAX_RESULT_WINDOW },
  faceting: { maxValuesPerFacet: 100 },
};

export class MeilisearchSearchEngine implements SearchEngine {
  private readonly client: Meilisearch;
  private readonly index: Index<MeiliVacancy>;
  private readonly indexUid: string;
  private readonly batchSize: number;
  private readonly taskTimeoutMs: number;

  constructor(options: MeilisearchEngineOptions) {
    this.client = new Meilisearch({ host: options.host, apiKey: options.apiKey });
    this.indexUid = options.indexUid ?? 'vacancies';
    this.index = this.client.index<MeiliVacancy>(this.indexUid);
    this.batchSize = options.batchSize ?? 1000;
    this.taskTimeoutMs = options.taskTimeoutMs ?? 120_000;
  }

  async init(): Promise<void> {
    await this.wait(this.client.createIndex(this.indexUid, { primaryKey: 'key' }), { allow: 'index_already_exists' });
    await this.wait(this.index.updateSettings(SETTINGS));
  }

  async upsert(docs: readonly VacancyDocument[]): Promise<void> {
    for (let i = 0; i < docs.length; i += this.batchSize) {
      const batch = docs.slice(i, i + this.batchSize).map(toMeili);
      await this.wait(this.index.addDocuments(batch, { primaryKey: 'key' }));
    }
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += this.batchSize) {
      await this.wait(this.index.deleteDocuments(ids.slice(i, i + this.batchSize).map(toKey)));
    }
  }

  async clear(): Promise<void> {
    await this.wait(this.index.deleteAllDocuments());
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const params = {
      filter: toFilter(query),
      sort: toSort(query),
      facets: [...FACETS],
      attributesToRetrieve: SUMMARY_FIELDS,
      // Every query word must match, as in the embedded engine; "last" would silently drop words.
      matchingStrategy: 'all',
      page: query.page,
      hitsPerPage: query.perPage,
    } satisfies SearchParams;
    // Typed with the params so the client knows page-based pagination answers with an exhaustive totalHits.
    const response = await this.index.search<VacancySummary, typeof params>(query.q || null, params);
    const facets = toFacets(response.facetDistribution);
    // With page/hitsPerPage the facet counts are exhaustive, and every vacancy has exactly one offer type, so
    // their sum is the exact total even where totalHits stops at maxTotalHits.
    const offerTotal = Object.values(facets.offerType).reduce((a, b) => a + b, 0);
    const total = Math.max(offerTotal, response.totalHits);
    const hits: SearchHit[] = response.hits.map((hit) => {
      const summary = pick(hit);
      const km = query.near ? nearestKm(summary, query.near) : undefined;
      if (!query.near || km === undefined) return summary;
      return { ...nearestPlaceFirst(summary, query.near), distanceKm: Math.round(km * 10) / 10 };
    });
    return {
      hits,
      total,
      totalExact: response.facetDistribution !== undefined || response.totalHits < MAX_RESULT_WINDOW,
      facets,
      page: query.page,
      perPage: query.perPage,
    };
  }

  async get(id: string): Promise<VacancySummary | undefined> {
    try {
      return pick(await this.index.getDocument<VacancySummary>(toKey(id), { fields: SUMMARY_FIELDS }));
    } catch (error) {
      if (error instanceof MeilisearchApiError && error.cause?.code === 'document_not_found') return undefined;
      throw error;
    }
  }

  async count(): Promise<number> {
    return (await this.index.getStats()).numberOfDocuments;
  }

  async health(): Promise<boolean> {
    return this.client.isHealthy();
  }

  /** The client keeps no connections open; nothing to release. */
  async close(): Promise<void> {}

  /** Waits for a task and throws when it did not succeed, with Meilisearch's own error code and message. */
  private async wait(enqueued: EnqueuedTaskPromise, options: { allow?: string } = {}): Promise<Task> {
    const task = await enqueued.waitTask({ timeout: this.taskTimeoutMs });
    if (task.status === 'succeeded' || (task.error && task.error.code === options.allow)) return task;
    const reason = task.error ? `${task.error.code}: ${task.error.message}` : task.status;
    throw new Error(`Meilisearch task ${task.uid} (${task.type}) on index ${this.indexUid} ${task.status}: ${reason}`);
  }
}

export function createMeilisearchEngine(options: MeilisearchEngineOptions): SearchEngine {
  return new MeilisearchSearchEngine(options);
}

function toKey(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function toMeili(doc: VacancyDocument): MeiliVacancy {
  const code = doc.kldbCode;
  return {
    ...doc,
    key: toKey(doc.id),
    kldb1: code?.slice(0, 1) ?? null,
    kldb2: code?.slice(0, 2) ?? null,
    kldb3: code?.slice(0, 3) ?? null,
    kldb4: code?.slice(0, 4) ?? null,
    _geo: doc.lat !== null && doc.lon !== null ? { lat: doc.lat, lng: doc.lon } : null,
  };
}

/** Values come from the parsed query (enums, digits, numbers); JSON.stringify quotes them all the same. */
function toFilter(query: SearchQuery): Filter {
  const filter: string[] = [];
  if (query.kldb) {
    const field = query.kldb.length === 5 ? 'kldbCode' : `kldb${query.kldb.length}`;
    filter.push(`${field} = ${JSON.stringify(query.kldb)}`);
  }
  if (query.workingTimes) filter.push(`workingTimes IN ${JSON.stringify(query.workingTimes)}`);
  if (query.contractType) filter.push(`contractType = ${JSON.stringify(query.contractType)}`);
  if (query.offerType) filter.push(`offerType = ${JSON.stringify(query.offerType)}`);
  if (query.publishedSince !== undefined) filter.push(`publishedAt >= ${query.publishedSince}`);
  if (query.near) {
    const { lat, lon, radiusKm } = query.near;
    filter.push(`_geoRadius(${lat}, ${lon}, ${Math.round(radiusKm * 1000)})`);
  }
  return filter;
}

function toSort(query: SearchQuery): string[] | undefined {
  if (query.sort === 'distance' && query.near) {
    return [`_geoPoint(${query.near.lat}, ${query.near.lon}):asc`, 'publishedAt:desc'];
  }
  // Without words there is no relevance to rank by: newest first, as the embedded engine does.
  if (query.sort === 'date' || !query.q) return ['publishedAt:desc'];
  return undefined;
}

function toFacets(distribution: Record<string, Record<string, number>> | undefined): SearchFacets {
  const facets = emptyFacets();
  if (!distribution) return facets;
  Object.assign(facets.workingTimes, distribution.workingTimes);
  Object.assign(facets.contractType, distribution.contractType);
  Object.assign(facets.kldb2, distribution.kldb2);
  for (const [value, n] of Object.entries(distribution.offerType ?? {})) {
    if (OfferType.safeParse(value).success) facets.offerType[value as OfferType] = n;
  }
  return facets;
}

/** Copies only the summary fields: Meilisearch may add its own (`_geoDistance`, `_rankingScore`). */
function pick(hit: VacancySummary): VacancySummary {
  const summary: Record<string, unknown> = {};
  for (const field of SUMMARY_FIELDS) summary[field] = hit[field] ?? null;
  return summary as unknown as VacancySummary;
}
