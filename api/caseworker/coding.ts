/** Coding review for caseworkers: flagged vacancies with the coder's suggestions, and confirming a KldB code. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { confirmCoding, listCodingReview } from '../../src/vacancies/coding.ts';
import { VacancyReferenceJson, vacancyReferenceJson } from '../../src/vacancies/vacancy.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { json, query, queryInteger } from '../validate.ts';

const ReviewParams = z.object({ limit: queryInteger.pipe(z.number().min(1).max(200)).default(50) });
const CodingBody = z.object({ kldb_code: z.string() }).strict();

const ReviewJson = z.strictObject({
  items: z.array(
    VacancyReferenceJson.extend({
      confidence: z.number().min(0).max(1),
      suggestions: z.array(
        z.strictObject({ kldb_code: z.string(), kldb_title: z.string(), confidence: z.number().min(0).max(1) }),
      ),
    }).strict(),
  ),
});
const ConfirmedJson = z.strictObject({
  vacancy_id: z.string(),
  kldb_code: z.string(),
  kldb_title: z.string().nullable(),
  confirmed: z.literal(true),
});

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front). */
export function codingRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get(
    '/coding/review',
    describe({
      operationId: 'listCodingReview',
      summary: "Vacancies whose occupation code a caseworker should confirm, with the coder's suggestions",
      responses: { 200: { description: 'Flagged vacancies', body: ReviewJson } },
    }),
    query(ReviewParams),
    async (c) => {
      const items = await listCodingReview(ctx, c.get('actor'), c.req.valid('query').limit);
      const answer: z.infer<typeof ReviewJson> = {
        items: items.map((i) => ({
          ...vacancyReferenceJson(i),
          confidence: Math.round(i.confidence * 100) / 100,
          suggestions: i.suggestions.map((s) => ({
            kldb_code: s.code,
            kldb_title: s.title,
            confidence: Math.round(s.confidence * 100) / 100,
          })),
        })),
      };
      return c.json(answer);
    },
  );

  app.post(
    '/vacancies/:id/coding',
    describe({
      operationId: 'confirmCoding',
      summary: "Confirm or correct a vacancy's KldB occupation code",
      responses: { 200: { description: 'The confirmed code', body: ConfirmedJson } },
      problems: [403, 404],
    }),
    json(CodingBody),
    async (c) => {
      const kldbCode = c.req.valid('json').kldb_code;
      const result = await confirmCoding({
        ctx,
        actor: c.get('actor'),
        vacancyId: c.req.param('id'),
        input: { kldbCode },
      });
      const answer: z.infer<typeof ConfirmedJson> = {
        vacancy_id: result.id,
        kldb_code: result.kldbCode,
        kldb_title: result.kldbTitle,
        confirmed: true,
      };
      return c.json(answer);
    },
  );

  return app;
}
