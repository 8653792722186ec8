/**
 * Sessions of the pages (issue 13, point 5): sign in with a password, limits, expiry, idle timeout, revocation,
 * disabled users, password changes, CSRF refusal, and the cookie's attributes, against PGlite and PostgreSQL.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users, webSessions } from '../../src/db/schema.ts';
import { hashPassword } from '../../src/users/password.ts';
import {
  LOGIN_FAILURES_PER_ACCOUNT,
  LOGIN_FAILURES_PER_ADDRESS,
  SESSION_IDLE_MS,
  SESSION_LIFETIME_MS,
  SIGN_IN_INVALID,
  SIGN_IN_LOCKED,
  signIn,
  signOut,
  signOutEverywhere,
  verifySession,
} from '../../src/users/sessions.ts';
import { hashToken } from '../../src/users/tokens.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { type EmployerWorld, employerWorld } from '../helpers/employer-world.ts';

const START = new Date('2026-11-20T09:00:00Z');
const PASSWORD = 'richtig-langes-passwort';
const at = (ms: number) => new Date(START.getTime() + ms);

/** A browser's cookie jar for in-process requests: keeps what the answers set, sends it back. */
function browser(w: EmployerWorld, base = 'http://localhost') {
  const jar = new Map<string, string>();
  return {
    jar,
    async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
      const all: Record<string, string> = { ...headers };
      if (jar.size) all.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      if (form) all['content-type'] = 'application/x-www-form-urlencoded';
      const res = await w.app.request(`${base}${path}`, {
        method,
        headers: all,
        body: form ? new URLSearchParams(form).toString() : undefined,
        redirect: 'manual',
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, value] = pair!.split('=');
        if (/max-age=0/i.test(line) || value === '') jar.delete(name!);
        else jar.set(name!, value!);
      }
      return res;
    },
    async csrfFrom(path: string) {
      const html = await (await this.request('GET', path)).text();
      return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    },
    async signIn(email: string, password = PASSWORD) {
      const csrf = await this.csrfFrom('/anmelden');
      return this.request('POST', '/anmelden', { _csrf: csrf, email, password });
    },
  };
}

describe.each(testDatabases())('page sessions on $name', (factory) => {
  let w: EmployerWorld;
  let email: string;
  let userId: string;
  beforeAll(async () => {
    w = await employerWorld(await openMigrated(factory), START);
    userId = w.userIds.employerA;
    email = 'employera@employer-api.test.invalid';
    await w.database.db
      .update(users)
      .set({ passwordHash: await hashPassword(PASSWORD) })
      .where(eq(users.id, userId));
  }, 60_000);
  afterAll(() => w?.close());

  it('opens a session for the right password and stores only the token hash', async () => {
    w.ctx.setNow(START);
    const session = await signIn(w.ctx, { email: ' EmployerA@employer-api.test.invalid ', password: PASSWORD });
    expect(session.actor).toMatchObject({ userId, role: 'employer', employerId: w.employerIds.A });
    const rows = await w.database.db.select().from(webSessions).where(eq(webSessions.userId, userId));
    expect(rows.map((r) => r.tokenHash)).toContain(hashToken(session.token));
    expect(JSON.stringify(rows)).not.toContain(session.token);
    expect(session.expiresAt).toEqual(at(SESSION_LIFETIME_MS));
    await signOut(w.ctx, session.token);
    expect(await verifySession(w.ctx, session.token)).toBeNull();
  });

  it('answers a wrong password and an unknown account alike', async () => {
    w.ctx.setNow(at(60 * 60_000));
    await expect(signIn(w.ctx, { email, password: 'falsch-falsch' })).rejects.toThrow(SIGN_IN_INVALID);
    await expect(signIn(w.ctx, { email: 'niemand@test.invalid', password: PASSWORD })).rejects.toThrow(SIGN_IN_INVALID);
    // A user without a password (never invited) cannot sign in with an empty one either.
    await expect(signIn(w.ctx, { email: 'admin@employer-api.test.invalid', password: '' })).rejects.toThrow(
      SIGN_IN_INVALID,
    );
  });

  it('ends a session after the idle time, and keeps an active one alive', async () => {
    w.ctx.setNow(at(2 * 60 * 60_000));
    const { token } = await signIn(w.ctx, { email, password: PASSWORD });
    w.ctx.setNow(at(2 * 60 * 60_000 + SESSION_IDLE_MS - 60_000));
    expect(await verifySession(w.ctx, token)).not.toBeNull();
    // Touched just now: another almost-idle gap is fine.
    w.ctx.setNow(at(2 * 60 * 60_000 + 2 * SESSION_IDLE_MS - 120_000));
    expect(await verifySession(w.ctx, token)).not.toBeNull();
    w.ctx.setNow(at(2 * 60 * 60_000 + 3 * SESSION_IDLE_MS));
    expect(await verifySession(w.ctx, token)).toBeNull();
  });

  it('ends a session at its absolute lifetime, however active', async () => {
    const begin = at(4 * 60 * 60_000);
    w.ctx.setNow(begin);
    const { token } = await signIn(w.ctx, { email, password: PASSWORD });
    for (let t = 20 * 60_000; t < SESSION_LIFETIME_MS; t += 20 * 60_000) {
      w.ctx.setNow(new Date(begin.getTime() + t));
      expect(await verifySession(w.ctx, token)).not.toBeNull();
    }
    w.ctx.setNow(new Date(begin.getTime() + SESSION_LIFETIME_MS));
    expect(await verifySession(w.ctx, token)).toBeNull();
  });

  it('touches last_seen_at at most once a minute', async () => {
    const begin = at(20 * 60 * 60_000);
    w.ctx.setNow(begin);
    const { token } = await signIn(w.ctx, { email, password: PASSWORD });
    const seen = async () =>
      (
        await w.database.db
          .select()
          .from(webSessions)
          .where(eq(webSessions.tokenHash, hashToken(token)))
      )[0]!.lastSeenAt;
    w.ctx.setNow(new Date(begin.getTime() + 30_000));
    await verifySession(w.ctx, token);
    expect(await seen()).toEqual(begin);
    w.ctx.setNow(new Date(begin.getTime() + 90_000));
    await verifySession(w.ctx, token);
    expect(await seen()).toEqual(new Date(begin.getTime() + 90_000));
  });

  it('signs out everywhere, and a disabled user or a new password ends every session', async () => {
    w.ctx.setNow(at(30 * 60 * 60_000));
    const a = await signIn(w.ctx, { email, password: PASSWORD });
    const b = await signIn(w.ctx, { email, password: PASSWORD });
    expect(await signOutEverywhere(w.ctx, a.actor)).toBeGreaterThanOrEqual(2);
    expect(await verifySession(w.ctx, a.token)).toBeNull();
    expect(await verifySession(w.ctx, b.token)).toBeNull();

    const c = await signIn(w.ctx, { email, password: PASSWORD });
    await w.database.db.update(users).set({ disabledAt: w.ctx.now() }).where(eq(users.id, userId));
    expect(await verifySession(w.ctx, c.token)).toBeNull();
    await expect(signIn(w.ctx, { email, password: PASSWORD })).rejects.toThrow(SIGN_IN_INVALID);
    await w.database.db.update(users).set({ disabledAt: null }).where(eq(users.id, userId));

    const d = await signIn(w.ctx, { email, password: PASSWORD });
    w.ctx.setNow(at(30 * 60 * 60_000 + 60_000));
    await w.database.db.update(users).set({ passwordSetAt: w.ctx.now() }).where(eq(users.id, userId));
    expect(await verifySession(w.ctx, d.token)).toBeNull();
  });

  it('locks an account after repeated failures, even for the right password, until the window passes', async () => {
    const begin = at(50 * 60 * 60_000);
    w.ctx.setNow(begin);
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT; i++) {
      await expect(signIn(w.ctx, { email, password: `falsch-${i}-falsch` })).rejects.toThrow(SIGN_IN_INVALID);
    }
    await expect(signIn(w.ctx, { email, password: PASSWORD })).rejects.toThrow(SIGN_IN_LOCKED);
    w.ctx.setNow(new Date(begin.getTime() + 16 * 60_000));
    await expect(signIn(w.ctx, { email, password: PASSWORD })).resolves.toMatchObject({ actor: { userId } });
    const refusals = await w.database.db.select().from(auditLog).where(eq(auditLog.action, 'sign_in_refused'));
    expect(refusals.some((r) => (r.detail as { reason?: string }).reason === 'locked')).toBe(true);
  });

  it('limits one client address across accounts', async () => {
    const begin = at(60 * 60 * 60_000);
    w.ctx.setNow(begin);
    for (let i = 0; i < LOGIN_FAILURES_PER_ADDRESS; i++) {
      await expect(
        signIn(w.ctx, { email: `rate-${i}@test.invalid`, password: 'x-beliebig', clientAddress: '203.0.113.9' }),
      ).rejects.toThrow(SIGN_IN_INVALID);
    }
    await expect(signIn(w.ctx, { email, password: PASSWORD, clientAddress: '203.0.113.9' })).rejects.toThrow(
      SIGN_IN_LOCKED,
    );
    // Another address is not affected.
    await expect(signIn(w.ctx, { email, password: PASSWORD, clientAddress: '203.0.113.10' })).resolves.toBeDefined();
  });

  describe('over HTTP', () => {
    it('signs in with the form, sets the cookie, and opens the portal', async () => {
      w.ctx.setNow(at(70 * 60 * 60_000));
      const b = browser(w);
      const res = await b.signIn(email);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/arbeitgeber');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('jb_session='))!;
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Secure/);
      const page = await b.request('GET', '/arbeitgeber');
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(await page.text()).toContain('Meine Stellen');
    });

    it('uses a __Host- cookie with Secure over HTTPS, and Secure on plain HTTP outside localhost', async () => {
      w.ctx.setNow(at(71 * 60 * 60_000));
      const https = browser(w, 'https://jobs.example.invalid');
      const res = await https.signIn(email);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-jb_session='))!;
      expect(cookie).toMatch(/Secure/);
      expect((await https.request('GET', '/arbeitgeber')).status).toBe(200);

      const plain = browser(w, 'http://jobs.example.invalid');
      const res2 = await plain.signIn(email);
      expect(res2.headers.getSetCookie().find((c) => c.startsWith('jb_session='))).toMatch(/Secure/);
      // A forwarded "https" from an untrusted peer does not change the cookie's name.
      const forged = browser(w);
      const csrf = await forged.csrfFrom('/anmelden');
      const res3 = await forged.request(
        'POST',
        '/anmelden',
        { _csrf: csrf, email, password: PASSWORD },
        { 'x-forwarded-proto': 'https' },
      );
      expect(res3.status).toBe(303);
      expect(res3.headers.getSetCookie().some((c) => c.startsWith('__Host-'))).toBe(false);
    });

    it('redirects a page request without session to the sign-in with the way back, and refuses other roles', async () => {
      w.ctx.setNow(at(72 * 60 * 60_000));
      const anon = browser(w);
      const res = await anon.request('GET', '/arbeitgeber/stellen/neu');
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/anmelden?weiter=${encodeURIComponent('/arbeitgeber/stellen/neu')}`);
      const post = await anon.request('POST', '/arbeitgeber/stellen/neu', { title: 'x' });
      expect(post.status).toBe(401);
      expect(await post.text()).toContain('Bitte melden Sie sich an');

      // An open redirect through ?weiter= is refused.
      const b = browser(w);
      const csrf = await b.csrfFrom('/anmelden?weiter=//evil.example');
      const signedIn = await b.request('POST', '/anmelden', {
        _csrf: csrf,
        email,
        password: PASSWORD,
        weiter: '//evil.example',
      });
      expect(signedIn.headers.get('location')).toBe('/arbeitgeber');
    });

    it('refuses a changing request without the CSRF token and stores nothing', async () => {
      w.ctx.setNow(at(73 * 60 * 60_000));
      const b = browser(w);
      await b.signIn(email);
      const before = (
        (await w.call('employerA', 'GET', '/api/v1/employer/vacancies').then((r) => r.json())) as { items: unknown[] }
      ).items.length;
      const form = { title: 'Koch', description: 'Kochen', plz: '70173', working_times: 'vollzeit' };
      const missing = await b.request('POST', '/arbeitgeber/stellen/neu', form);
      expect(missing.status).toBe(403);
      expect(await missing.text()).toContain('Formular abgelaufen');
      const wrong = await b.request('POST', '/arbeitgeber/stellen/neu', { ...form, _csrf: 'falsch' });
      expect(wrong.status).toBe(403);
      const after = (
        (await w.call('employerA', 'GET', '/api/v1/employer/vacancies').then((r) => r.json())) as { items: unknown[] }
      ).items.length;
      expect(after).toBe(before);
      // The login form refuses a token not bound to this browser (login CSRF).
      const other = browser(w);
      const res = await other.request('POST', '/anmelden', { _csrf: 'fremd', email, password: PASSWORD });
      expect(res.status).toBe(403);
      expect(other.jar.has('jb_session')).toBe(false);
    });

    it('signs out here, and everywhere ends the sessions of other browsers', async () => {
      w.ctx.setNow(at(74 * 60 * 60_000));
      const first = browser(w);
      const second = browser(w);
      await first.signIn(email);
      await second.signIn(email);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await first.request('GET', '/arbeitgeber')).text())![1]!;
      const out = await first.request('POST', '/abmelden/ueberall', { _csrf: csrf });
      expect(out.status).toBe(303);
      expect(out.headers.get('location')).toBe('/anmelden?ueberall');
      expect((await second.request('GET', '/arbeitgeber')).status).toBe(303);
      expect((await first.request('GET', '/arbeitgeber')).status).toBe(303);

      const third = browser(w);
      await third.signIn(email);
      const csrf3 = /name="_csrf" value="([^"]+)"/.exec(await (await third.request('GET', '/arbeitgeber')).text())![1]!;
      expect((await third.request('POST', '/abmelden', { _csrf: csrf3 })).status).toBe(303);
      expect((await third.request('GET', '/arbeitgeber')).status).toBe(303);
    });

    it('shows the lock message after too many wrong passwords', async () => {
      w.ctx.setNow(at(80 * 60 * 60_000));
      const b = browser(w);
      for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT; i++) {
        const res = await b.signIn(email, `falsch-${i}-falsch`);
        expect(res.status).toBe(401);
        expect(await res.text()).toContain(SIGN_IN_INVALID);
      }
      const locked = await b.signIn(email);
      expect(locked.status).toBe(429);
      expect(await locked.text()).toContain('Zu viele fehlgeschlagene Anmeldeversuche');
    });

    it('keeps the API bearer tokens working for programs', async () => {
      const res = await w.call('employerA', 'GET', '/api/v1/employer/vacancies');
      expect(res.status).toBe(200);
    });
  });
});
