/**
 * The pages as policy (issue 12, point 2), checked against OWASP ASVS 5.0 — level 1 for the kiosk, level 2 for the
 * signed-in pages — and BSI APP.3.1: every page answers with the same security headers as the API, is never cached,
 * carries no inline script, style or event handler (so the CSP can forbid them), names its language, and every form
 * that changes something carries the session's CSRF token; the kiosk sets no cookie at all.
 * Cookie attributes, session expiry and the sign-in limits: tests/integration/sessions.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../api/app.ts';
import { openPglite } from '../../src/db/client.ts';
import { openSession } from '../../src/users/sessions.ts';
import { type EmployerWorld, employerWorld, MINIMAL_ORDER } from '../helpers/employer-world.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
let w: EmployerWorld;
let vacancyId: string;
let orderId: string;
const cookies: Record<string, string> = {};

/** One page of every kind, with the account that may see it. */
function pages(): Array<{ name: string; who: keyof typeof cookies | 'anonymous'; path: string }> {
  return [
    { name: 'kiosk start', who: 'anonymous', path: '/kiosk' },
    { name: 'kiosk start, Arabic', who: 'anonymous', path: '/kiosk?lang=ar' },
    { name: 'kiosk results', who: 'anonymous', path: '/kiosk/suche?q=koch' },
    { name: 'kiosk detail', who: 'anonymous', path: `/kiosk/stelle/${vacancyId}` },
    { name: 'kiosk print view', who: 'anonymous', path: `/kiosk/stelle/${vacancyId}/druck` },
    { name: 'kiosk unknown vacancy', who: 'anonymous', path: '/kiosk/stelle/00000000-0000-4000-8000-000000000000' },
    { name: 'sign-in', who: 'anonymous', path: '/anmelden' },
    { name: 'employer portal', who: 'employerA', path: '/arbeitgeber' },
    { name: 'employer order form', who: 'employerA', path: '/arbeitgeber/stellen/neu' },
    { name: 'employer order', who: 'employerA', path: `/arbeitgeber/stellen/${orderId}` },
    { name: 'workbench inbox', who: 'caseworker1', path: '/app' },
    { name: 'workbench vacancy', who: 'caseworker1', path: `/app/stellen/${orderId}` },
    { name: 'workbench customers', who: 'caseworker1', path: '/app/kunden' },
    { name: 'workbench import', who: 'caseworker1', path: '/app/import' },
    { name: 'workbench tasks', who: 'caseworker1', path: '/app/aufgaben' },
    { name: 'branch dashboard', who: 'lead1', path: '/app/sla' },
    { name: 'refused: caseworker on the dashboard', who: 'caseworker1', path: '/app/sla' },
  ];
}

async function visit(who: string, path: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (who !== 'anonymous') headers.cookie = `jb_session=${cookies[who]}`;
  return w.app.request(`http://localhost${path}`, { headers });
}

const csp = Object.entries(CONTENT_SECURITY_POLICY)
  .map(([k, v]) => `${k.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)} ${v.join(' ')}`)
  .join('; ');

beforeAll(async () => {
  const database = await openPglite(undefined);
  await database.migrate();
  w = await employerWorld(database, NOW);
  [vacancyId] = (await insertSyntheticVacancies(database.db, 3, NOW)) as [string];
  const order = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', MINIMAL_ORDER);
  orderId = ((await order.json()) as { vacancy_id: string }).vacancy_id;
  for (const who of ['employerA', 'caseworker1', 'lead1'] as const) {
    cookies[who] = (await openSession(w.ctx, w.userIds[who])).token;
  }
});

afterAll(async () => {
  await w?.close();
});

describe('every page', () => {
  it('answers as its reader expects (the list above is the one we check)', async () => {
    for (const page of pages()) {
      const res = await visit(page.who, page.path);
      const expected = page.name.startsWith('refused') ? 403 : page.name.includes('unknown') ? 404 : 200;
      expect(res.status, `${page.name} ${page.path}`).toBe(expected);
      expect(res.headers.get('content-type'), page.name).toMatch(/^text\/html; charset=utf-8/i);
    }
  });

  it('ASVS 3.4.3, 3.4.4, 3.4.5, 3.4.6, 14.3.2; BSI APP.3.1.A21: the API headers on every page, never cached', async () => {
    for (const page of pages()) {
      const res = await visit(page.who, page.path);
      expect(res.headers.get('content-security-policy'), page.name).toBe(csp);
      expect(res.headers.get('x-content-type-options'), page.name).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), page.name).toBe('DENY');
      expect(res.headers.get('referrer-policy'), page.name).toBe('no-referrer');
      expect(res.headers.get('cache-control'), page.name).toBe('no-store');
    }
  });

  it('ASVS 3.4.3 (L2): no inline script, inline style or event-handler attribute, so the CSP loses nothing', async () => {
    for (const page of pages()) {
      const html = await (await visit(page.who, page.path)).text();
      expect(html, page.name).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html, page.name).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
      expect(html, page.name).not.toMatch(/<[a-z][^>]*\sstyle\s*=/i);
      expect(html, page.name).not.toMatch(/<style[\s>]/i);
      expect(html, page.name).not.toMatch(/(src|href)="(https?:)?\/\/(?!localhost)/i);
      expect(html, page.name).toMatch(/<html[^>]*\slang="[a-z]{2}"/);
    }
  });

  it('ASVS 3.5.1 (L1): every form that changes something carries the CSRF token of the session', async () => {
    for (const page of pages().filter((p) => p.who !== 'anonymous' && !p.name.startsWith('refused'))) {
      const html = await (await visit(page.who, page.path)).text();
      const forms = html.match(/<form[^>]*method="post"[^>]*>[\s\S]*?<\/form>/gi) ?? [];
      for (const form of forms) expect(form, `${page.name}: ${form.slice(0, 120)}`).toMatch(/name="_csrf"/);
    }
  });

  it('ASVS 3.3.1 (L1): the kiosk sets no cookie and keeps nothing about its user', async () => {
    for (const page of pages().filter((p) => p.path.startsWith('/kiosk'))) {
      const res = await visit('anonymous', page.path);
      expect(res.headers.get('set-cookie'), page.name).toBeNull();
    }
  });

  it('ASVS 6.2 (L1): password fields are named for password managers and never pre-filled', async () => {
    const html = await (await visit('anonymous', '/anmelden')).text();
    expect(html).toMatch(
      /<input[^>]*type="password"[^>]*autocomplete="current-password"|autocomplete="current-password"[^>]*type="password"/,
    );
    expect(html).not.toMatch(/type="password"[^>]*value="[^"]+"/);
  });
});
