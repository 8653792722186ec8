/** Bearer-token authentication and role checks. The actor is put on the context for audit and branch scoping. */
import type { MiddlewareHandler } from 'hono';
import type { Actor } from '../../src/audit/record.ts';
import type { Ctx } from '../../src/context.ts';
import type { Role } from '../../src/domain/enums.ts';
import { Forbidden, Unauthorized } from '../../src/errors.ts';
import { authenticateToken } from '../../src/users/authenticate.ts';

export interface AuthVariables {
  actor: Actor;
}

export interface AuthOptions {
  ctx: Ctx;
  /** Roles allowed through. */
  roles: readonly Role[];
}

export function auth({ ctx, roles }: AuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function authMiddleware(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new Unauthorized('Anmeldung erforderlich: Authorization: Bearer <Token>');
    const actor = await authenticateToken(ctx, match[1] as string);
    if (!actor) throw new Unauthorized('Token unbekannt oder widerrufen');
    if (!roles.includes(actor.role)) throw new Forbidden();
    c.set('actor', actor);
    await next();
  };
}
