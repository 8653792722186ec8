/**
 * The search port: the only operations the rest of the system uses on a vacancy index. Adapters: `embedded.ts`
 * (in-process, the default) and `meilisearch.ts` (scale-out). Both pass `tests/contract/search-engine.contract.ts`.
 * The index is derived data: the DB is the system of record, and a reindex rebuilds it from there at any time.
 */
import { z } from 'zod';
import { ContractType, OfferType, WorkingTime } from '../domain/enums.ts';
import type { VacancyDocument, VacancySummary } from '../vacancies/vacancy.ts';

/** No query may reach past this many hits, so nobody can scrape the whole vacancy pool through the public API. */
export const MAX_RESULT_WINDOW = 1000;
export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 20;
export const MAX_RADIUS_KM = 200;

export const GeoFilter = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  radiusKm: z.number().positive().max(MAX_RADIUS_KM),
});
export type GeoFilter = z.infer<typeof GeoFilter>;

export const SearchSort = z.enum(['relevance', 'date', 'distance']);
export type SearchSort = z.infer<typeof SearchSort>;

export const SearchQuery = z
  .object({
    /** Free text; the last word is completed as a prefix (kiosk type-ahead). */
    q: z.string().trim().max(200).optional(),
    near: GeoFilter.optional(),
    /** A KldB code or a prefix of one (1–5 digits): "2" Berufsbereich … "29302" Berufsgattung. */
    kldb: z
      .string()
      .regex(/^\d{1,5}$/, 'KldB-Präfix: 1 bis 5 Ziffern')
      .optional(),
    /** Matches vacancies offering any of these working times. */
    workingTimes: z.array(WorkingTime).min(1).max(WorkingTime.options.length).optional(),
    contractType: ContractType.optional(),
    offerType: OfferType.optional(),
    /** Epoch milliseconds; only vacancies published at or after this instant. */
    publishedSince: z.number().int().nonnegative().optional(),
    sort: SearchSort.default('relevance'),
    /** 1-based. */
    page: z.number().int().min(1).default(1),
    perPage: z.number().int().min(1).max(MAX_PER_PAGE).default(DEFAULT_PER_PAGE),
  })
  .refine((query) => query.sort !== 'distance' || query.near !== undefined, {
    message: 'Sortierung nach Entfernung braucht einen Ort (near)',
    path: ['sort'],
  })
  .refine((query) => query.page * query.perPage <= MAX_RESULT_WINDOW, {
    message: `Es können höchstens ${MAX_RESULT_WINDOW} Treffer durchblättert werden`,
    path: ['page'],
  });
/** A parsed query; build one with `SearchQuery.parse(input)` so defaults and limits apply. */
export type SearchQuery = z.infer<typeof SearchQuery>;
export type SearchQueryInput = z.input<typeof SearchQuery>;

export interface SearchHit extends VacancySummary {
  /** Great-circle distance from `near`, in km; only present when the query has `near`. */
  distanceKm?: number;
}

export interface SearchFacets {
  workingTimes: Partial<Record<WorkingTime, number>>;
  offerType: Partial<Record<OfferType, number>>;
  contractType: Partial<Record<ContractType, number>>;
  /** By KldB Berufshauptgruppe (first two digits of the code). */
  kldb2: Record<string, number>;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Number of vacancies matching query and filters (not capped by the result window). */
  total: number;
  /** False when the engine could only estimate `total`. */
  totalExact: boolean;
  /** Counts over the whole filtered result set, not just this page; zero counts are left out. */
  facets: SearchFacets;
  page: number;
  perPage: number;
}

/** Writes documents into an index being built by `SearchEngine.rebuild`. */
export type DocumentWriter = (docs: readonly VacancyDocument[]) => Promise<void>;

export interface SearchEngine {
  /** Creates the index and applies its settings; idempotent, call once at start. */
  init(): Promise<void>;
  /** Inserts or replaces documents by id. */
  upsert(docs: readonly VacancyDocument[]): Promise<void>;
  /** Removes documents by id; unknown ids are ignored. */
  remove(ids: readonly string[]): Promise<void>;
  /** Removes every document, keeping the settings. */
  clear(): Promise<void>;
  /**
   * Builds a complete new index from what `fill` writes while the current one keeps answering searches, then puts it
   * in its place. Writes through this engine during the build reach both; if `fill` fails, the current index stays.
   */
  rebuild(fill: (write: DocumentWriter) => Promise<void>): Promise<void>;
  search(query: SearchQuery): Promise<SearchResult>;
  get(id: string): Promise<VacancySummary | undefined>;
  count(): Promise<number>;
  /** True when the engine can serve searches; never throws. */
  health(): Promise<boolean>;
  close(): Promise<void>;
}

export function emptyFacets(): SearchFacets {
  return { workingTimes: {}, offerType: {}, contractType: {}, kldb2: {} };
}
