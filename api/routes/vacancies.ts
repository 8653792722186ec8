/** Public vacancy search and detail: what kiosks and the public API read. No login, rate limited, no personal data. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { ContractType, OfferType, WorkingTime } from '../../src/domain/enums.ts';
import { issuesOf, ValidationFailed } from '../../src/errors.ts';
import { lookupPlz } from '../../src/geo/plz.ts';
import { type SearchEngine, SearchQuery } from '../../src/search/search-engine.ts';
import { getPublicVacancy } from '../../src/vacancies/public-vacancy.ts';
import { vacancyDetailJson, vacancyHitJson } from '../../src/vacancies/vacancy.ts';

const csv = (schema: z.ZodTypeAny) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v !== '' ? v.split(',').map((s) => s.trim()) : undefined),
    z.array(schema).optional(),
  );

const optionalNumber = z.preprocess(
  (v) => (v === '' || v === undefined ? undefined : Number(v)),
  z.number().optional(),
);

/** The query string of GET /api/v1/vacancies, with the public parameter names. */
const VacancyListParams = z.object({
  q: z.string().max(200).optional(),
  plz: z
    .string()
    .regex(/^\d{5}$/, 'plz muss eine fünfstellige Postleitzahl sein')
    .optional(),
  radius_km: optionalNumber,
  working_time: csv(WorkingTime),
  kldb: z.string().optional(),
  contract: ContractType.optional(),
  offer_type: OfferType.optional(),
  published_since_days: optionalNumber,
  sort: z.enum(['relevance', 'date', 'distance']).optional(),
  page: optionalNumber,
  per_page: optionalNumber,
});

export interface VacancyRoutesDeps {
  ctx: Ctx;
  search: SearchEngine;
}

export function vacancyRoutes({ ctx, search }: VacancyRoutesDeps) {
  const app = new Hono();

  app.get('/', async (c) => {
    const params = VacancyListParams.safeParse(c.req.query());
    if (!params.success) throw new ValidationFailed('Ungültige Suchparameter', issuesOf(params.error));
    const p = params.data;
    let near: { lat: number; lon: number; radiusKm: number } | undefined;
    if (p.plz) {
      const place = lookupPlz(p.plz);
      if (!place)
        throw new ValidationFailed(`Postleitzahl ${p.plz} ist unbekannt`, [
          { path: 'plz', message: 'unbekannte Postleitzahl' },
        ]);
      near = { lat: place.lat, lon: place.lon, radiusKm: p.radius_km ?? 25 };
    } else if (p.radius_km !== undefined) {
      throw new ValidationFailed('radius_km braucht eine Postleitzahl (plz)', [
        { path: 'radius_km', message: 'plz fehlt' },
      ]);
    }
    const query = SearchQuery.safeParse({
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
    if (!query.success) throw new ValidationFailed('Ungültige Suchparameter', issuesOf(query.error));
    const result = await search.search(query.data);
    return c.json({
      hits: result.hits.map(vacancyHitJson),
      total: result.total,
      total_exact: result.totalExact,
      page: result.page,
      per_page: result.perPage,
      facets: result.facets,
    });
  });

  app.get('/:id', async (c) => {
    const { vacancy, links } = await getPublicVacancy(ctx, c.req.param('id'));
    return c.json(vacancyDetailJson(vacancy, links));
  });

  return app;
}
