/**
 * The session cookie and the pre-session cookie of the sign-in forms.
 *
 * Over HTTPS the names carry the `__Host-` prefix: the browser then takes them only with Secure, Path=/ and no
 * Domain, so neither a sibling subdomain nor a plain-HTTP attacker can plant one (session fixation). Secure is set
 * everywhere but on localhost, so a deployment that forgot TLS fails closed (no cookie) instead of leaking it.
 *
 * SameSite=Lax, not Strict: with Strict, following the invitation link from an e-mail, or a bookmark opened from
 * another site, arrives without the cookie and shows the sign-in form to a signed-in person. Lax sends the cookie
 * only on top-level GET navigations, which change nothing here; every changing request also needs the CSRF token.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isHttpsRequest, isLoopbackHost } from './transport.ts';

const SESSION = 'jb_session';
/** A random value that binds the sign-in and invitation forms to the browser that loaded them (login CSRF). */
const FORM_BINDING = 'jb_form';

function name(c: Context, base: string): string {
  return isHttpsRequest(c) ? `__Host-${base}` : base;
}

function attributes(c: Context) {
  return {
    path: '/',
    httpOnly: true,
    secure: isHttpsRequest(c) || !isLoopbackHost(c),
    sameSite: 'Lax' as const,
  };
}

export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, name(c, SESSION));
}

/** No Max-Age: the cookie ends with the browser, the session in the database ends by its own rules anyway. */
export function writeSessionCookie(c: Context, token: string): void {
  setCookie(c, name(c, SESSION), token, attributes(c));
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, name(c, SESSION), attributes(c));
}

export function readFormBinding(c: Context): string | undefined {
  return getCookie(c, name(c, FORM_BINDING));
}

export function writeFormBinding(c: Context, value: string): void {
  setCookie(c, name(c, FORM_BINDING), value, { ...attributes(c), maxAge: 60 * 60 });
}
