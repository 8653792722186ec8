/**
 * /api/v1: the JSON API, one sub-app per audience, each behind its own guard (see api/audience.ts):
 * - public (kiosk PCs, anyone): vacancy search and detail, rate limited per client, no personal data;
 * - caseworkers (caseworker, branch lead, admin): customer profiles and the data subject's rights, match lists,
 *   coding review, proposals, the SLA views, tasks, the inbox, employer invitations, the internal control sample
 *   (branch leads, admins) and the audit trail (admins), with a token;
 * - employers: their orders, the candidates proposed to them and their inbox, with a token;
 * - admins: catchment areas and the employer service's assignments, with a token.
 */
import { type Context, type Env, Hono, type MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { matcherPairCheck } from '../matchers/service/pair-check.ts';
import type { Queues } from '../queues/queues.ts';
import type { Ctx } from '../src/context.ts';
import type { Role } from '../src/domain/enums.ts';
import type { PairCheck } from '../src/proposals/pair-check.ts';
import { adminRoutes } from './admin/employer-service.ts';
import { mountAudience } from './audience.ts';
import { auditRoutes } from './audit.ts';
import { codingRoutes } from './caseworker/coding.ts';
import { customerRightsRoutes } from './caseworker/customer-rights.ts';
import { customerRoutes } from './caseworker/customers.ts';
import { employerUserRoutes } from './caseworker/employer-users.ts';
import { type MatchRoutesDeps, matchRoutes } from './caseworker/matches.ts';
import { proposalRoutes } from './caseworker/proposals.ts';
import { slaRoutes } from './caseworker/sla.ts';
import { taskRoutes } from './caseworker/tasks.ts';
import { employerOrderRoutes } from './employer/orders.ts';
import { employerProposalRoutes } from './employer/proposals.ts';
import { problem } from './errors.ts';
import { inboxRoutes } from './inbox.ts';
import { type AuthVariables, auth } from './middleware/auth.ts';
import { AuthThrottle } from './middleware/auth-throttle.ts';
import { clientAddress, isKiosk } from './middleware/client-address.ts';
import { BEARER, describeGuard, KIOSK_TOKEN } from './openapi.ts';
import { type VacancyRoutesDeps, vacancyRoutes } from './public/vacancies.ts';

export interface ApiRoutesDeps extends VacancyRoutesDeps, MatchRoutesDeps {
  /** Public requests per client and minute. @defaultValue 120 */
  publicRequestsPerMinute?: number;
  /**
   * Public requests per kiosk PC (or kiosk network address behind NAT) and minute: clients in `KIOSK_NETWORKS` or
   * with the kiosk token (api/middleware/client-address.ts). @defaultValue 1200
   */
  kioskRequestsPerMinute?: number;
  /**
   * Failed sign-ins per client address (and per token prefix) and minute, then 429 until the minute ends; counted
   * per process (api/middleware/auth-throttle.ts). @defaultValue 10
   */
  authFailuresPerMinute?: number;
  /**
   * The matcher's rules for one customer and vacancy, checked again when a proposal is sent; a test may pass
   * another. @defaultValue matcherPairCheck (matchers/service/pair-check.ts)
   */
  pairCheck?: PairCheck;
  /** The queues, so a deleted customer's jobs are removed (queues/forget-customer.ts). */
  queues?: Queues;
}

/** Who may use the caseworkers' audience. */
export const STAFF_ROLES: readonly Role[] = ['caseworker', 'branch_lead', 'admin'];

/**
 * Kiosks count in their own buckets: a kiosk address that is also reachable otherwise (a shared NAT address) keeps
 * the two budgets apart instead of letting public requests use up the kiosks' larger one.
 */
function clientKey(c: Context): string {
  // In-process requests (tests) carry no socket.
  return `${isKiosk(c) ? 'kiosk' : 'public'}:${clientAddress(c) ?? 'local'}`;
}

/**
 * The public budget per client and minute, kiosk PCs with their larger one: for the public API and the kiosk pages
 * (pages/kiosk/), each with a count of its own.
 */
/**
 * The public budget per client and minute. `overLimit` answers a request beyond it (default: problem+json); the
 * kiosk pages answer with a page in the kiosk's language instead. `Retry-After` is set either way.
 */
export function publicRateLimit(
  requestsPerMinute = 120,
  kioskRequestsPerMinute = 1_200,
  overLimit: (c: Context) => Response | Promise<Response> = (c) =>
    problem(c, 429, {
      title: 'Zu viele Anfragen',
      code: 'limit_exceeded',
      detail: 'Bitte warten Sie einen Moment und versuchen Sie es dann erneut.',
    }),
): MiddlewareHandler {
  return rateLimiter({
    windowMs: 60_000,
    limit: (c) => (isKiosk(c) ? kioskRequestsPerMinute : requestsPerMinute),
    standardHeaders: 'draft-7',
    keyGenerator: clientKey,
    handler: overLimit,
  });
}

/** The public audience's guard. No sign-in; a kiosk PC may send its token for the larger budget. */
function publicGuard(requestsPerMinute?: number, kioskRequestsPerMinute?: number): MiddlewareHandler {
  return describeGuard(publicRateLimit(requestsPerMinute, kioskRequestsPerMinute), {
    tag: 'Public',
    security: [{}, { [KIOSK_TOKEN]: [] }],
    problems: [429],
  });
}

/**
 * The guard of a signed-in audience: token authentication for the given roles, and `Cache-Control: no-store` on
 * every answer (errors included), since these answers carry personal or order data that no browser or proxy may keep.
 */
function signedIn(ctx: Ctx, roles: readonly Role[], throttle: AuthThrottle, tag: string): MiddlewareHandler {
  const authenticate = auth({ ctx, roles, throttle });
  const guard: MiddlewareHandler = async function signedInGuard(c, next) {
    await authenticate(c, next);
    c.header('Cache-Control', 'no-store');
  };
  // 429: failed sign-ins from this client or with this token are throttled.
  return describeGuard(guard, { tag, security: [{ [BEARER]: [] }], problems: [401, 403, 429] });
}

function caseworkerRoutes(deps: ApiRoutesDeps) {
  const pairCheck = deps.pairCheck ?? matcherPairCheck;
  return new Hono<{ Variables: AuthVariables }>()
    .route('/', matchRoutes(deps))
    .route('/', customerRoutes(deps))
    .route('/', customerRightsRoutes({ ctx: deps.ctx, matchService: deps.matchService, queues: deps.queues }))
    .route('/', codingRoutes(deps))
    .route('/', proposalRoutes({ ctx: deps.ctx, pairCheck }))
    .route('/', slaRoutes(deps))
    .route('/', taskRoutes(deps))
    .route('/', inboxRoutes(deps, ''))
    .route('/', employerUserRoutes(deps))
    .route('/', auditRoutes(deps));
}

function employerRoutes(deps: ApiRoutesDeps) {
  return new Hono<{ Variables: AuthVariables }>()
    .route('/', employerOrderRoutes(deps))
    .route('/', employerProposalRoutes(deps))
    .route('/', inboxRoutes(deps, '/employer'));
}

/** Mounts every audience of the JSON API below `base` on `app`. */
export function mountApiV1<E extends Env>(app: Hono<E>, base: string, deps: ApiRoutesDeps & { ctx: Ctx }): void {
  // One throttle for every signed-in audience: a guess is a guess, whichever route it is sent to.
  const throttle = new AuthThrottle({ failuresPerWindow: deps.authFailuresPerMinute ?? 10 });
  mountAudience(app, base, vacancyRoutes(deps), publicGuard(deps.publicRequestsPerMinute, deps.kioskRequestsPerMinute));
  mountAudience(app, base, caseworkerRoutes(deps), signedIn(deps.ctx, STAFF_ROLES, throttle, 'Caseworkers'));
  mountAudience(app, base, employerRoutes(deps), signedIn(deps.ctx, ['employer'], throttle, 'Employers'));
  mountAudience(app, base, adminRoutes(deps), signedIn(deps.ctx, ['admin'], throttle, 'Admins'));
}
