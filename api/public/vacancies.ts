/** Public vacancy search and detail: what kiosks and the public API read. No login, rate limited, no personal data. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { ContractType, OfferType, WorkingTime } from '../../src/domain/enums.ts';
import { issuesOf, ValidationFailed } from '../../src/errors.ts';
import { lookupPlz } from '../../src/geo/plz.ts';
import {
  MAX_PER_PAGE,
  MAX_RADIUS_KM,
  type SearchEngine,
  type SearchFacets,
  SearchQuery,
  type SearchResult,
  SearchSort,
} from '../../src/search/search-engine.ts';
import { getPublicVacancy } from '../../src/vacancies/public-vacancy.ts';
import { VacancyDetailJson, VacancyHitJson, vacancyDetailJson, vacancyHitJson } from '../../src/vacancies/vacancy.ts';
import { describe } from '../openapi.ts';
import { query, queryInteger, queryList, queryNumber } from '../validate.ts';

/** The query string of GET /api/v1/vacancies, with the public parameter names and their limits. */
const VacancyListParams = z.object({
  q: z.string().max(200).optional(),
  plz: z
    .string()
    .regex(/^\d{5}$/, 'muss eine fünfstellige Postleitzahl sein')
    .optional(),
  radius_km: queryNumber.pipe(z.number().positive().max(MAX_RADIUS_KM)).optional(),
  working_time: queryList(WorkingTime).optional(),
  kldb: z
    .string()
    .regex(/^\d{1,5}$/, 'KldB-Präfix: 1 bis 5 Ziffern')
    .optional(),
  contract: ContractType.optional(),
  offer_type: OfferType.optional(),
  published_since_days: queryInteger.pipe(z.number().max(3650)).optional(),
  sort: SearchSort.optional(),
  page: queryInteger.pipe(z.number().min(1)).optional(),
  per_page: queryInteger.pipe(z.number().min(1).max(MAX_PER_PAGE)).optional(),
});

const Counts = z.record(z.string(), z.number().int().min(0));
const FacetsJson = z.strictObject({
  working_times: Counts,
  offer_type: Counts,
  contract_type: Counts,
  kldb2: Counts.describe('By KldB Berufshauptgruppe (first two digits)'),
});
const SearchJson = z.strictObject({
  hits: z.array(VacancyHitJson),
  total: z.number().int().min(0),
  total_exact: z.boolean(),
  page: z.number().int().min(1),
  per_page: z.number().int().min(1),
  facets: FacetsJson,
});

const facetsJson = (f: SearchFacets): z.infer<typeof FacetsJson> => ({
  working_times: f.workingTimes,
  offer_type: f.offerType,
  contract_type: f.contractType,
  kldb2: f.kldb2,
});

export interface VacancyRoutesDeps {
  ctx: Ctx;
  search: SearchEngine;
}

function searchJson(result: SearchResult): z.infer<typeof SearchJson> {
  return {
    hits: result.hits.map(vacancyHitJson),
    total: result.total,
    total_exact: result.totalExact,
    page: result.page,
    per_page: result.perPage,
    facets: facetsJson(result.facets),
  };
}

export function vacancyRoutes({ ctx, search }: VacancyRoutesDeps) {
  const app = new Hono();
  // The embedded engine hands out the same frozen answer while its index is unchanged (src/search/answer-cache.ts):
  // its JSON is written once, not at every kiosk request. Fresh answers (Meilisearch) are never found here.
  const bodies = new WeakMap<SearchResult, string>();

  app.get(
    '/vacancies',
    describe({
      operationId: 'searchVacancies',
      summary: 'Search open vacancies',
      description: 'Full text, place and radius, working time, KldB prefix and more; with facets. No personal data.',
      responses: { 200: { description: 'One page of hits', body: SearchJson } },
    }),
    query(VacancyListParams),
    async (c) => {
      const p = c.req.valid('query');
      let near: { lat: number; lon: number; radiusKm: number } | undefined;
      if (p.plz) {
        const place = lookupPlz(p.plz);
        if (!place) {
          throw new ValidationFailed(`Postleitzahl ${p.plz} ist unbekannt`, [
            { path: 'plz', message: 'unbekannte Postleitzahl' },
          ]);
        }
        near = { lat: place.lat, lon: place.lon, radiusKm: p.radius_km ?? 25 };
      } else if (p.radius_km !== undefined) {
        throw new ValidationFailed('radius_km braucht eine Postleitzahl (plz)', [
          { path: 'radius_km', message: 'plz fehlt' },
        ]);
      }
      // The wire schema holds every limit a caller can break, except the two rules that combine parameters.
      const searchQuery = SearchQuery.safeParse({
        q: p.q,
        near,
        kldb: p.kldb,
        workingTimes: p.working_time,
        contractType: p.contract,
        offerType: p.offer_type,
        publishedSince:
          p.published_since_days !== undefined ? ctx.now().getTime() - p.published_since_days * 86_400_000 : undefined,
        sort: p.sort ?? (p.q ? 'relevance' : 'date'),
        page: p.page,
        perPage: p.per_page,
      });
      if (!searchQuery.success) throw new ValidationFailed('Ungültige Suchparameter', issuesOf(searchQuery.error));
      const result = await search.search(searchQuery.data);
      let body = bodies.get(result);
      if (body === undefined) {
        body = JSON.stringify(searchJson(result));
        if (Object.isFrozen(result)) bodies.set(result, body);
      }
      return c.body(body, 200, { 'Content-Type': 'application/json' });
    },
  );

  app.get(
    '/vacancies/:id',
    describe({
      operationId: 'getVacancy',
      summary: 'One open vacancy, as the public sees it',
      responses: { 200: { description: 'The vacancy', body: VacancyDetailJson } },
      // An unknown, closed or malformed id.
      problems: [404],
    }),
    async (c) => {
      const { vacancy, links } = await getPublicVacancy(ctx, c.req.param('id'));
      return c.json(vacancyDetailJson(vacancy, links));
    },
  );

  return app;
}
