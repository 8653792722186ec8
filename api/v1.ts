/**
 * /api/v1: the JSON API, one sub-app per audience, each behind its own guard (see api/audience.ts):
 * - public (kiosk PCs, anyone): vacancy search and detail, rate limited per client, no personal data;
 * - caseworkers (caseworker, branch lead, admin): match lists and coding review, with a token.
 * Employers and admins get their audiences with the routes that serve them.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Env, Hono } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import type { Ctx } from '../src/context.ts';
import type { Role } from '../src/domain/enums.ts';
import { mountAudience } from './audience.ts';
import { codingRoutes } from './caseworker/coding.ts';
import { type MatchRoutesDeps, matchRoutes } from './caseworker/matches.ts';
import { problem } from './errors.ts';
import { type AuthVariables, auth } from './middleware/auth.ts';
import { type VacancyRoutesDeps, vacancyRoutes } from './public/vacancies.ts';

export interface ApiRoutesDeps extends VacancyRoutesDeps, MatchRoutesDeps {
  /** Public requests per client and minute. @defaultValue 120 */
  publicRequestsPerMinute?: number;
}

/** Who may use the caseworkers' audience. */
export const STAFF_ROLES: readonly Role[] = ['caseworker', 'branch_lead', 'admin'];

function clientKey(c: Parameters<Parameters<typeof rateLimiter>[0]['keyGenerator']>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // In-process requests (tests) carry no socket.
    return 'local';
  }
}

function publicRateLimit(requestsPerMinute: number) {
  return rateLimiter({
    windowMs: 60_000,
    limit: requestsPerMinute,
    standardHeaders: 'draft-7',
    keyGenerator: clientKey,
    handler: (c) =>
      problem(c, 429, {
        title: 'Zu viele Anfragen',
        code: 'limit_exceeded',
        detail: 'Bitte warten Sie einen Moment und versuchen Sie es dann erneut.',
      }),
  });
}

function caseworkerRoutes(deps: ApiRoutesDeps) {
  return new Hono<{ Variables: AuthVariables }>().route('/', matchRoutes(deps)).route('/', codingRoutes(deps));
}

/** Mounts every audience of the JSON API below `base` on `app`. */
export function mountApiV1<E extends Env>(app: Hono<E>, base: string, deps: ApiRoutesDeps & { ctx: Ctx }): void {
  mountAudience(app, base, vacancyRoutes(deps), publicRateLimit(deps.publicRequestsPerMinute ?? 120));
  mountAudience(app, base, caseworkerRoutes(deps), auth({ ctx: deps.ctx, roles: STAFF_ROLES }));
}
