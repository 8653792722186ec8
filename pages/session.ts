/**
 * The guard of every signed-in page: the session behind the cookie, the role, and the CSRF token of changing
 * requests. Pages read `c.get('actor')` (for the verbs and the audit trail, as the API's bearer guard provides it)
 * and `c.get('csrfToken')` (for `<CsrfField>` in every form).
 *
 * @example
 * app.get('/app', requireSession(ctx, ['caseworker']), (c) => c.html(<Inbox actor={c.get('actor')} />));
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { type Actor, recordRefusal } from '../src/audit/record.ts';
import type { Ctx } from '../src/context.ts';
import type { Role } from '../src/domain/enums.ts';
import { verifySession } from '../src/users/sessions.ts';
import { CSRF_FIELD, CSRF_HEADER } from './csrf-field.tsx';
import { clearSessionCookie, readSessionCookie } from './session-cookie.ts';
import { refusalPage } from './staff/refusal.tsx';

export { CsrfField } from './csrf-field.tsx';

export interface SessionVariables {
  actor: Actor;
  csrfToken: string;
  /** For the header of the page (pages/staff/layout.tsx). */
  signedInAs: { displayName: string; email: string };
}

const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Where the sign-in page sends the person back to: a path of this site only, never another origin. */
export function signInPath(c: Context): string {
  const url = new URL(c.req.url);
  return `/anmelden?weiter=${encodeURIComponent(`${url.pathname}${url.search}`)}`;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of a changing request: the header (scripts) or the form field (forms); never the query string. */
async function submittedCsrfToken(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
    return undefined;
  }
  try {
    // Hono keeps the parsed body, so the route reads it again without a second pass over the stream.
    const value = (await c.req.parseBody())[CSRF_FIELD];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Signed-in pages for the given roles. See the module comment for what the route then finds on the context. */
export function requireSession(ctx: Ctx, roles: readonly Role[]): MiddlewareHandler<{ Variables: SessionVariables }> {
  return async function sessionGuard(c, next) {
    const token = readSessionCookie(c);
    const session = token ? await verifySession(ctx, token) : null;
    const method = c.req.method;
    if (!session) {
      // A dead cookie is dropped, so the next visit does not look it up again.
      if (token) clearSessionCookie(c);
      if (method === 'GET' || method === 'HEAD') return c.redirect(signInPath(c), 303);
      await recordRefusal(ctx, {
        actor: null,
        objectType: 'page',
        detail: { status: 401, reason: token ? 'unknown_session' : 'no_session', method, route: c.req.routePath },
      });
      return refusalPage(c, 'sign_in');
    }
    if (!roles.includes(session.actor.role)) {
      await recordRefusal(ctx, {
        actor: session.actor,
        objectType: 'page',
        detail: { status: 403, reason: 'role', method, route: c.req.routePath },
      });
      return refusalPage(c, 'forbidden');
    }
    if (CHANGING.has(method)) {
      const given = await submittedCsrfToken(c);
      if (!given || !sameToken(given, session.csrfToken)) {
        await recordRefusal(ctx, {
          actor: session.actor,
          objectType: 'page',
          detail: { status: 403, reason: 'csrf', method, route: c.req.routePath },
        });
        return refusalPage(c, 'csrf');
      }
    }
    c.set('actor', session.actor);
    c.set('csrfToken', session.csrfToken);
    c.set('signedInAs', { displayName: session.displayName, email: session.email });
    await next();
  };
}
