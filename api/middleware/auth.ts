/**
 * Bearer-token authentication and role checks. The actor is put on the context for audit and branch scoping.
 * Refusals (401, 403) are recorded in the audit trail, and failed attempts are throttled (./auth-throttle.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { type Actor, recordRefusal } from '../../src/audit/record.ts';
import type { Ctx } from '../../src/context.ts';
import type { Role } from '../../src/domain/enums.ts';
import { Forbidden, LimitExceeded, Unauthorized } from '../../src/errors.ts';
import { authenticateToken } from '../../src/users/authenticate.ts';
import { type AuthThrottle, throttleKeys } from './auth-throttle.ts';
import { clientAddress } from './client-address.ts';

export interface AuthVariables {
  actor: Actor;
}

export interface AuthOptions {
  ctx: Ctx;
  /** Roles allowed through. */
  roles: readonly Role[];
  /** Shared by every audience of an app, so the limit holds across them. @defaultValue none (no throttle) */
  throttle?: AuthThrottle;
}

type RefusalReason = 'no_token' | 'unknown_token' | 'role';

/**
 * The audit row of a refusal: which route, which object id in the path (the trail stores it clipped and stripped of
 * characters it cannot hold), why, and who when the token was valid. Never the token, never the client's address.
 */
function refusal(ctx: Ctx, c: Context, status: 401 | 403, reason: RefusalReason, actor: Actor | null = null) {
  return recordRefusal(ctx, {
    actor,
    objectType: 'request',
    objectId: c.req.param('id'),
    detail: { status, reason, method: c.req.method, route: c.req.routePath },
  });
}

export function auth({ ctx, roles, throttle }: AuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function authMiddleware(c, next) {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const keys = throttleKeys(clientAddress(c), token);
    const wait = throttle?.retryAfterSeconds(keys) ?? 0;
    if (wait > 0) {
      throw new LimitExceeded('Zu viele fehlgeschlagene Anmeldeversuche. Bitte später erneut versuchen.', wait);
    }
    if (!token) {
      throttle?.recordFailure(keys);
      await refusal(ctx, c, 401, 'no_token');
      throw new Unauthorized('Anmeldung erforderlich: Authorization: Bearer <Token>');
    }
    const actor = await authenticateToken(ctx, token);
    if (!actor) {
      throttle?.recordFailure(keys);
      await refusal(ctx, c, 401, 'unknown_token');
      throw new Unauthorized('Token unbekannt oder widerrufen');
    }
    if (!roles.includes(actor.role)) {
      await refusal(ctx, c, 403, 'role', actor);
      throw new Forbidden();
    }
    c.set('actor', actor);
    await next();
  };
}
