/** Coding review for caseworkers: flagged vacancies with the coder's suggestions, and confirming a KldB code. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { confirmCoding, listCodingReview } from '../../src/vacancies/coding.ts';
import { vacancyReferenceJson } from '../../src/vacancies/vacancy.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { json, query, queryInteger } from '../validate.ts';

const ReviewParams = z.object({ limit: queryInteger.pipe(z.number().min(1).max(200)).default(50) });
const CodingBody = z.object({ kldb_code: z.string() }).strict();

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front). */
export function codingRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/coding/review', query(ReviewParams), async (c) => {
    const items = await listCodingReview(ctx, c.get('actor'), c.req.valid('query').limit);
    return c.json({
      items: items.map((i) => ({
        ...vacancyReferenceJson(i),
        confidence: Math.round(i.confidence * 100) / 100,
        suggestions: i.suggestions.map((s) => ({
          kldb_code: s.code,
          kldb_title: s.title,
          confidence: Math.round(s.confidence * 100) / 100,
        })),
      })),
    });
  });

  app.post('/vacancies/:id/coding', json(CodingBody), async (c) => {
    const kldbCode = c.req.valid('json').kldb_code;
    const result = await confirmCoding({
      ctx,
      actor: c.get('actor'),
      vacancyId: c.req.param('id'),
      input: { kldbCode },
    });
    return c.json({ vacancy_id: result.id, kldb_code: result.kldbCode, kldb_title: result.kldbTitle, confirmed: true });
  });

  return app;
}
