/** Coding review for caseworkers: flagged vacancies with the coder's suggestions, and confirming a KldB code. */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { ValidationFailed } from '../../src/errors.ts';
import { confirmCoding, listCodingReview } from '../../src/vacancies/coding.ts';
import { vacancyReferenceJson } from '../../src/vacancies/vacancy.ts';
import { type AuthVariables, auth } from '../middleware/auth.ts';

const CODING_ROLES = ['caseworker', 'branch_lead', 'admin'] as const;

export function codingRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();
  const authorised = auth({ ctx, roles: CODING_ROLES });

  app.get('/coding/review', authorised, async (c) => {
    const limit = z.coerce.number().int().min(1).max(200).default(50).safeParse(c.req.query('limit'));
    if (!limit.success) throw new ValidationFailed('limit muss eine Zahl von 1 bis 200 sein');
    const items = await listCodingReview(ctx, c.get('actor'), limit.data);
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

  app.post('/vacancies/:id/coding', authorised, async (c) => {
    const body = await c.req.json().catch(() => {
      throw new ValidationFailed('Der Anfragetext muss JSON sein, z. B. {"kldb_code": "29302"}');
    });
    const kldbCode = (body as { kldb_code?: unknown } | null)?.kldb_code;
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
