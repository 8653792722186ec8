/**
 * Search adapter for Meilisearch (scale-out mode, `MEILI_URL`), written against the server's source and docs and
 * the official client's typings; the operator guide and the known differences from the embedded engine are in
 * docs/search-engine.md. Every write waits for its task: a fault throws (the index follower retries), while a
 * document Meilisearch itself refuses is isolated and left out, so one bad vacancy never blocks the others.
 */
import { type EnqueuedTaskPromise, type Filter, type Index, Meilisearch, type SearchParams } from 'meilisearch';
import { OfferType } from '../domain/enums.ts';
import { createLogger } from '../logging.ts';
import { SUMMARY_FIELDS, type VacancyDocument, type VacancySummary } from '../vacancies/vacancy.ts';
import { fromKey, type MeiliVacancy, payloads, toKey, toMeiliVacancy } from './meilisearch-documents.ts';
import { PRIMARY_KEY, SETTINGS, settingsToApply } from './meilisearch-settings.ts';
import {
  apiErrorCode,
  isDocumentRejection,
  type MeiliLog,
  type WaitOptions,
  waitForTask,
} from './meilisearch-tasks.ts';
import { checkServerVersion } from './meilisearch-version.ts';
import { nearestKm, nearestPlaceFirst } from './nearest-place.ts';
import {
  type DocumentWriter,
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
  /** A key with the actions listed in docs/search-engine.md on the index and `<index>_rebuild`. */
  apiKey?: string;
  /** @defaultValue "vacancies" */
  indexUid?: string;
  /** At most this many documents per request. @defaultValue 1000 */
  batchSize?: number;
  /** At most this many bytes per document request; keep it below the server's `--http-payload-size-limit` (100 MB). @defaultValue 20000000 */
  maxPayloadBytes?: number;
  /** Timeout of every HTTP request except document uploads. @defaultValue 10000 */
  requestTimeoutMs?: number;
  /** Timeout of one document upload request. @defaultValue 120000 */
  uploadTimeoutMs?: number;
  /** How long to wait for a document or index task. @defaultValue 120000 */
  taskTimeoutMs?: number;
  /** How long to wait for a settings change, which re-indexes every document of a full index. @defaultValue 1800000 */
  settingsTimeoutMs?: number;
  /** Task poll interval. @defaultValue 100 */
  taskPollMs?: number;
  /** How often a long wait is logged. @defaultValue 30000 */
  progressLogMs?: number;
  /** @defaultValue a pino logger at level info */
  log?: MeiliLog;
}

const FACETS = ['workingTimes', 'offerType', 'contractType', 'kldb2'] as const;

export class MeilisearchSearchEngine implements SearchEngine {
  private readonly client: Meilisearch;
  /** Document uploads may take longer than a search: a client of their own with a longer request timeout. */
  private readonly uploadClient: Meilisearch;
  private readonly indexUid: string;
  private readonly index: Index<MeiliVacancy>;
  private readonly batchSize: number;
  private readonly maxPayloadBytes: number;
  private readonly waits: { tasks: WaitOptions; settings: WaitOptions };
  private readonly log: MeiliLog;
  /** The index being built by `rebuild`, which this process's writes also go to meanwhile. */
  private building: string | undefined;
  /** Why the live index should be rebuilt (set by `init`), or undefined. */
  rebuildRecommended: string | undefined;
  /** Documents Meilisearch refused since start (each logged with its vacancy id). */
  rejectedDocuments = 0;

  constructor(options: MeilisearchEngineOptions) {
    const base = { host: options.host, apiKey: options.apiKey };
    this.client = new Meilisearch({ ...base, timeout: options.requestTimeoutMs ?? 10_000 });
    this.uploadClient = new Meilisearch({ ...base, timeout: options.uploadTimeoutMs ?? 120_000 });
    this.indexUid = options.indexUid ?? 'vacancies';
    this.index = this.client.index<MeiliVacancy>(this.indexUid);
    this.batchSize = options.batchSize ?? 1000;
    this.maxPayloadBytes = options.maxPayloadBytes ?? 20_000_000;
    this.log = options.log ?? createLogger('info', { component: 'meilisearch' });
    const poll = { intervalMs: options.taskPollMs ?? 100, progressMs: options.progressLogMs ?? 30_000 };
    this.waits = {
      tasks: { ...poll, timeoutMs: options.taskTimeoutMs ?? 120_000, what: 'task' },
      settings: { ...poll, timeoutMs: options.settingsTimeoutMs ?? 1_800_000, what: 'settings update' },
    };
  }

  /**
   * Checks the server version, creates the index (or checks the existing one's primary key) and sends the settings
   * that differ from the server's, waiting for them with `settingsTimeoutMs`.
   */
  async init(): Promise<void> {
    const { pkgVersion } = await this.client.getVersion();
    checkServerVersion(pkgVersion);
    await this.ensureIndex(this.indexUid);
    await this.applySettings(this.indexUid);
    await this.checkUpgrade(pkgVersion);
  }

  async upsert(docs: readonly VacancyDocument[]): Promise<void> {
    await this.writeDocuments(this.indexUid, docs);
    if (this.building) await this.writeDocuments(this.building, docs);
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const uid of this.targets()) {
      for (let i = 0; i < ids.length; i += this.batchSize) {
        const keys = ids.slice(i, i + this.batchSize).map(toKey);
        await this.wait(this.client.index(uid).deleteDocuments(keys), uid, this.waits.tasks);
      }
    }
  }

  async clear(): Promise<void> {
    for (const uid of this.targets())
      await this.wait(this.client.index(uid).deleteAllDocuments(), uid, this.waits.tasks);
  }

  /**
   * Builds a new index aside (`<index>_rebuild`, same settings) from what `fill` writes, then swaps it with the live
   * one and deletes the old content. Searches see the old index until the swap; if `fill` or the build fails, the
   * live index is untouched. Writes through this engine during the build go to both indexes; writes by other
   * processes reach only the live one, so the caller re-applies the changes logged since it started reading
   * (`rebuildIndex` in index-sync.ts).
   */
  async rebuild(fill: (write: DocumentWriter) => Promise<void>): Promise<void> {
    if (this.building) throw new Error(`a rebuild of Meilisearch index ${this.indexUid} is already running`);
    const uid = `${this.indexUid}_rebuild`;
    // A build left behind by a crash holds a partial copy: start from nothing.
    await this.deleteIndexIfExists(uid);
    await this.ensureIndex(uid);
    await this.applySettings(uid);
    this.building = uid;
    try {
      await fill((docs) => this.writeDocuments(uid, docs));
      await this.wait(
        this.client.swapIndexes([{ indexes: [this.indexUid, uid], rename: false }]),
        uid,
        this.waits.tasks,
      );
    } catch (error) {
      this.building = undefined;
      await this.deleteIndexIfExists(uid).catch((cleanup: unknown) =>
        this.log.warn({ index: uid, err: cleanup }, 'could not delete the abandoned Meilisearch build index'),
      );
      throw error;
    }
    this.building = undefined;
    // After the swap `uid` holds the old documents.
    await this.deleteIndexIfExists(uid);
    this.rebuildRecommended = undefined;
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

  /** Through search, not the documents route: that route ignores `displayedAttributes` and needs `documents.get`. */
  async get(id: string): Promise<VacancySummary | undefined> {
    const response = await this.index.search<VacancySummary>(null, {
      filter: `${PRIMARY_KEY} = ${JSON.stringify(toKey(id))}`,
      attributesToRetrieve: SUMMARY_FIELDS,
      limit: 1,
    });
    const hit = response.hits[0];
    return hit ? pick(hit) : undefined;
  }

  async count(): Promise<number> {
    return (await this.index.getStats()).numberOfDocuments;
  }

  /**
   * An authenticated search on the index: false for a wrong key, a key without `search` on it, a missing index or
   * an unreachable server (the public `/health` says yes to all of these).
   */
  async health(): Promise<boolean> {
    try {
      await this.index.search(null, { limit: 0 });
      return true;
    } catch {
      return false;
    }
  }

  /** The client keeps no connections open; nothing to release. */
  async close(): Promise<void> {}

  private targets(): string[] {
    return this.building ? [this.indexUid, this.building] : [this.indexUid];
  }

  private async ensureIndex(uid: string): Promise<void> {
    await this.wait(this.client.createIndex(uid, { primaryKey: PRIMARY_KEY }), uid, {
      ...this.waits.tasks,
      allow: 'index_already_exists',
    });
    const info = await this.client.index(uid).getRawInfo();
    if (info.primaryKey === PRIMARY_KEY) return;
    if (info.primaryKey === undefined || info.primaryKey === null) {
      // Created elsewhere without documents: the primary key can still be set.
      await this.wait(this.client.updateIndex(uid, { primaryKey: PRIMARY_KEY }), uid, this.waits.tasks);
      return;
    }
    throw new Error(
      `Meilisearch index "${uid}" already exists with primary key "${info.primaryKey}", but this service stores ` +
        `vacancies under "${PRIMARY_KEY}". It belongs to something else: set MEILI_INDEX to another name, or delete ` +
        'that index if it is an old copy of ours (`jobbruecke reindex` rebuilds it from the database).',
    );
  }

  private async applySettings(uid: string): Promise<void> {
    const patch = settingsToApply(await this.client.index(uid).getSettings(), SETTINGS);
    const changed = Object.keys(patch);
    if (changed.length === 0) return;
    const documents = (await this.client.index(uid).getStats()).numberOfDocuments;
    this.log.info(
      { index: uid, settings: changed, documents, limitMs: this.waits.settings.timeoutMs },
      documents > 0
        ? 'updating Meilisearch settings; the server re-indexes every document, which can take minutes'
        : 'applying Meilisearch settings',
    );
    const started = Date.now();
    await this.wait(this.client.index(uid).updateSettings(patch), uid, this.waits.settings);
    this.log.info({ index: uid, ms: Date.now() - started }, 'Meilisearch settings applied');
  }

  /**
   * Compound splitting and normalisation change between server versions, and an upgrade keeps the index as it
   * was built: if the server was upgraded after the live index was created, the index should be rebuilt.
   */
  private async checkUpgrade(pkgVersion: string): Promise<void> {
    try {
      const { results } = await this.client.tasks.getTasks({
        types: ['upgradeDatabase'],
        statuses: ['succeeded'],
        limit: 1,
      });
      const upgrade = results[0];
      if (!upgrade?.finishedAt) return;
      const info = await this.index.getRawInfo();
      if (Date.parse(info.createdAt) >= Date.parse(upgrade.finishedAt)) return;
      this.rebuildRecommended = `Meilisearch was upgraded to ${pkgVersion} on ${upgrade.finishedAt}, after index ${this.indexUid} was built`;
      this.log.warn(
        { index: this.indexUid, upgradeFrom: upgrade.details?.upgradeFrom, upgradeTo: upgrade.details?.upgradeTo },
        `${this.rebuildRecommended}: run \`jobbruecke reindex\` so German words are split the way the new version does`,
      );
    } catch (error) {
      this.log.warn(
        { index: this.indexUid, code: apiErrorCode(error) },
        'could not check for a Meilisearch upgrade (the key needs tasks.get)',
      );
    }
  }

  private async writeDocuments(uid: string, docs: readonly VacancyDocument[]): Promise<void> {
    const meili = docs.map(toMeiliVacancy);
    for (const payload of payloads(meili, this.maxPayloadBytes, this.batchSize)) {
      await this.addIsolating(uid, payload.docs, payload.json);
    }
  }

  /**
   * Sends documents; when Meilisearch refuses them (a bad field, a payload too large), halves the batch until the
   * refused documents stand alone, and leaves those out with a log line, so they are not sent again forever.
   */
  private async addIsolating(uid: string, docs: MeiliVacancy[], json = JSON.stringify(docs)): Promise<void> {
    try {
      const index = this.uploadClient.index(uid);
      await this.wait(index.addDocumentsFromString(json, 'application/json', { primaryKey: PRIMARY_KEY }), uid, {
        ...this.waits.tasks,
        what: 'document upload',
      });
    } catch (error) {
      if (!isDocumentRejection(error)) throw error;
      if (docs.length === 1) {
        this.rejectedDocuments++;
        this.log.error(
          { index: uid, vacancyId: fromKey((docs[0] as MeiliVacancy).key), err: error },
          'Meilisearch refused a vacancy; it stays out of the index until it changes',
        );
        return;
      }
      const half = Math.ceil(docs.length / 2);
      await this.addIsolating(uid, docs.slice(0, half));
      await this.addIsolating(uid, docs.slice(half));
    }
  }

  private async deleteIndexIfExists(uid: string): Promise<void> {
    await this.wait(this.client.deleteIndex(uid), uid, { ...this.waits.tasks, allow: 'index_not_found' });
  }

  private async wait(enqueued: EnqueuedTaskPromise, uid: string, options: WaitOptions): Promise<void> {
    await waitForTask(this.client, this.log, await enqueued, uid, options);
  }
}

export function createMeilisearchEngine(options: MeilisearchEngineOptions): SearchEngine {
  return new MeilisearchSearchEngine(options);
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
    // Matches `_geo` (the first place) or any point of `_geojson` (every place of a vacancy with several).
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
