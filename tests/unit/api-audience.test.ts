import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mountAudience } from '../../api/audience.ts';
import { query } from '../../api/validate.ts';

function build(order: 'public-first' | 'staff-first') {
  const calls: string[] = [];
  const publicGuard: MiddlewareHandler = async (_c, next) => {
    calls.push('public-guard');
    await next();
  };
  const staffGuard: MiddlewareHandler = async (c) => {
    calls.push('staff-guard');
    return c.text('denied', 401);
  };
  const kiosk = new Hono()
    .get('/vacancies', (c) => c.text('list'))
    .get('/vacancies/:id', (c) => c.text(`detail ${c.req.param('id')}`));
  const staff = new Hono().get('/vacancies/:id/matches', query(z.object({ limit: z.string().optional() })), (c) =>
    c.text('matches'),
  );
  const app = new Hono();
  if (order === 'public-first') {
    mountAudience(app, '/api/v1', kiosk, publicGuard);
    mountAudience(app, '/api/v1', staff, staffGuard);
  } else {
    mountAudience(app, '/api/v1', staff, staffGuard);
    mountAudience(app, '/api/v1', kiosk, publicGuard);
  }
  return { app, calls };
}

describe('mountAudience', () => {
  for (const order of ['public-first', 'staff-first'] as const) {
    it(`runs exactly the route's own audience guard, whatever the mount order (${order})`, async () => {
      const { app, calls } = build(order);
      expect((await app.request('/api/v1/vacancies')).status).toBe(200);
      expect((await app.request('/api/v1/vacancies/abc')).status).toBe(200);
      expect(calls).toEqual(['public-guard', 'public-guard']);
      calls.length = 0;
      const res = await app.request('/api/v1/vacancies/abc/matches?limit=5');
      expect(res.status).toBe(401);
      // The staff route is not behind the public guard, and its own guard runs once despite the validator.
      expect(calls).toEqual(['staff-guard']);
    });
  }

  it('refuses audience apps that carry their own middleware', () => {
    const withMiddleware = new Hono();
    withMiddleware.use(async (_c, next) => next());
    withMiddleware.get('/x', (c) => c.text('x'));
    expect(() => mountAudience(new Hono(), '/api', withMiddleware, async (_c, next) => next())).toThrow(/routes only/);
  });
});
