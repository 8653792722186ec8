/** /api/v1: the JSON API. Public vacancy reads are rate limited per client; everything else needs a token. */

import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { problem } from '../errors.ts';
import { codingRoutes } from './coding.ts';
import { type MatchRoutesDeps, matchRoutes } from './matches.ts';
import { type VacancyRoutesDeps, vacancyRoutes } from './vacancies.ts';

export interface ApiRoutesDeps extends VacancyRoutesDeps, MatchRoutesDeps {
  /** Public requests per client and minute. @defaultValue 120 */
  publicRequestsPerMinute?: number;
}

function clientKey(c: Parameters<Parameters<typeof rateLimiter>[0]['keyGenerator']>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // In-process requests (tests) carry no socket.
    return 'local';
  }
}

export function apiRoutes(deps: ApiRoutesDeps) {
  const app = new Hono();
  // Registered before the public rate limit: these routes need a token and answer without passing it on.
  app.route('/', matchRoutes(deps));
  app.route('/', codingRoutes(deps));
  app.use(
    '/vacancies/*',
    rateLimiter({
      windowMs: 60_000,
      limit: deps.publicRequestsPerMinute ?? 120,
      standardHeaders: 'draft-7',
      keyGenerator: clientKey,
      handler: (c) =>
        problem(c, 429, {
          title: 'Zu viele Anfragen',
          code: 'limit_exceeded',
          detail: 'Bitte warten Sie einen Moment und versuchen Sie es dann erneut.',
        }),
    }),
  );
  app.route('/vacancies', vacancyRoutes(deps));
  return app;
}
