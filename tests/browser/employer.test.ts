/**
 * The employer portal and sign-in (issue 13, points 4 and 5) in Chromium against `jobbruecke start` with the demo
 * city: the demo employer signs in, reports a vacancy (one validation error first), sees the confirmation with the
 * reference and the promised response time, and, after the demo caseworker proposes candidates through the JSON
 * API, sees the proposals and records an outcome. Then the failed-login limit and "log out everywhere" across two
 * browser contexts. axe-core checks every page; screenshots go to test-results/screenshots/employer-*, login-*.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/seed.ts';
import { LOGIN_FAILURES_PER_ACCOUNT } from '../../src/users/sessions.ts';
import {
  type DemoService,
  expectAccessible,
  launchBrowser,
  screenshots,
  startDemoService,
} from '../helpers/browser.ts';

let demo: DemoService;
let browser: Browser;
const account = (role: (typeof DEMO_ACCOUNTS)[number]['role']) => DEMO_ACCOUNTS.find((a) => a.role === role)!;

beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemoService(), launchBrowser()]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('E-Mail-Adresse').fill(email);
  await page.getByLabel('Passwort', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
}

async function caseworkerApi(path: string, init: RequestInit = {}) {
  return fetch(`${demo.baseUrl}/api/v1${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${account('caseworker').token}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
}

describe('employer portal', () => {
  it('reports a vacancy, sees the confirmation, then the proposals, and records an outcome', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1024 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(`${demo.baseUrl}/arbeitgeber`);
    await page.waitForURL(/\/anmelden\?weiter=/);
    await expectAccessible(page);
    await screenshots(page, 'employer', '01-sign-in');
    await signIn(page, account('employer').email, account('employer').password);
    await page.waitForURL(/\/arbeitgeber$/);
    await expectAccessible(page);
    await screenshots(page, 'employer', '02-list');

    await page.getByRole('link', { name: 'Neue Stelle melden' }).first().click();
    await page.waitForURL(/\/arbeitgeber\/stellen\/neu$/);
    await expectAccessible(page);
    await page.getByLabel('Berufsbezeichnung').fill('Koch / Köchin (m/w/d)');
    await page.getByRole('button', { name: 'Vorschlag' }).click();
    await expect.poll(() => page.locator('.suggestions li').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshots(page, 'employer', '03-suggestions');
    await page
      .getByLabel('Beschreibung der Tätigkeit')
      .fill('Wir suchen eine Köchin oder einen Koch für unsere Kantine.');
    // One mistake first: a four-digit postcode.
    await page.getByLabel('Postleitzahl').fill('7017');
    await page.getByRole('button', { name: 'Stelle melden' }).click();
    const summary = page.locator('[data-error-summary]');
    await expect.poll(() => summary.isVisible()).toBe(true);
    expect(await page.evaluate<boolean>("document.activeElement?.hasAttribute('data-error-summary') ?? false")).toBe(
      true,
    );
    expect(await page.getByLabel('Berufsbezeichnung').inputValue()).toBe('Koch / Köchin (m/w/d)');
    expect(await page.locator('#vacancy-plz').getAttribute('aria-describedby')).toContain('vacancy-plz-error');
    await expectAccessible(page);
    await screenshots(page, 'employer', '04-validation-error');
    await summary.getByRole('link').first().click();
    expect(await page.evaluate<string>("document.activeElement?.id ?? ''")).toBe('vacancy-plz');
    await page.getByLabel('Postleitzahl').fill('70173');
    await page.getByLabel('Teilzeit', { exact: true }).check();
    await page.getByRole('button', { name: 'Stelle melden' }).click();
    await page.waitForURL(/\/bestaetigung$/);
    const confirmation = (await page.locator('main').textContent()) ?? '';
    expect(confirmation).toMatch(/JB-2026-\d{6}|JB-\d{4}-\d{6}/);
    expect(confirmation).toMatch(/Wir melden uns spätestens am \w+, \d{1,2}\. \w+ \d{4} um \d{2}:\d{2} Uhr/);
    await expectAccessible(page);
    await screenshots(page, 'employer', '05-confirmation');
    const vacancyId = /stellen\/([0-9a-f-]{36})\/bestaetigung/.exec(page.url())![1]!;

    // The caseworker confirms the occupation code and proposes two candidates through the JSON API.
    const coded = await caseworkerApi(`/vacancies/${vacancyId}/coding`, {
      method: 'POST',
      body: JSON.stringify({ kldb_code: '29302' }),
    });
    expect(coded.status).toBe(200);
    let customerIds: string[] = [];
    await expect
      .poll(
        async () => {
          const res = await caseworkerApi(`/vacancies/${vacancyId}/matches`);
          const body = (await res.json()) as { results?: Array<{ customer_id: string }> };
          customerIds = (body.results ?? []).slice(0, 2).map((i) => i.customer_id);
          return customerIds.length;
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(2);
    const sent = await caseworkerApi(`/vacancies/${vacancyId}/proposals`, {
      method: 'POST',
      body: JSON.stringify({ customer_ids: customerIds }),
    });
    expect(sent.status).toBe(201);

    await page.getByRole('link', { name: 'Zur Stelle' }).click();
    await page.waitForURL(new RegExp(`/stellen/${vacancyId}$`));
    expect(await page.locator('.proposal').count()).toBe(2);
    await expectAccessible(page);
    await screenshots(page, 'employer', '06-proposals');
    // A rejection needs a reason: refused at the field, then recorded.
    const first = page.locator('.proposal').first();
    await first.getByRole('button', { name: 'Abgesagt' }).click();
    await expect.poll(() => page.locator('[data-error-summary]').textContent()).toContain('Grund der Absage');
    await expectAccessible(page);
    await screenshots(page, 'employer', '07-outcome-error');
    await page.locator('.proposal').first().getByRole('button', { name: 'Zum Gespräch eingeladen' }).click();
    await page.waitForURL(/gespeichert=invited/);
    expect(await page.locator('.proposal').first().textContent()).toContain('Zum Gespräch eingeladen');
    await expectAccessible(page);
    await screenshots(page, 'employer', '08-outcome-saved');

    await page.getByRole('link', { name: 'Meine Stellen' }).click();
    expect(await page.locator('table').textContent()).toContain('Koch / Köchin (m/w/d)');
    await screenshots(page, 'employer', '09-list-with-vacancy');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});

describe('sign-in', () => {
  it('locks the account after repeated wrong passwords and refuses even the right one', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1024 } });
    const page = await context.newPage();
    await page.goto(`${demo.baseUrl}/anmelden`);
    const who = account('branch_lead');
    for (let i = 0; i < LOGIN_FAILURES_PER_ACCOUNT; i++) {
      await signIn(page, who.email, `falsches-passwort-${i}`);
      await expect.poll(() => page.locator('[data-error-summary]').textContent()).toContain('falsch');
    }
    await expectAccessible(page);
    await screenshots(page, 'login-limit', '01-wrong-password');
    await signIn(page, who.email, who.password);
    await expect
      .poll(() => page.locator('[data-error-summary]').textContent())
      .toContain('Zu viele fehlgeschlagene Anmeldeversuche');
    expect(page.url()).toMatch(/\/anmelden$/);
    await expectAccessible(page);
    await screenshots(page, 'login-limit', '02-locked');
    await context.close();
  }, 120_000);

  it('"log out everywhere" ends the session of a second browser', async () => {
    const who = account('employer');
    const one = await browser.newContext();
    const two = await browser.newContext();
    const a = await one.newPage();
    const b = await two.newPage();
    for (const page of [a, b]) {
      await page.goto(`${demo.baseUrl}/anmelden`);
      await signIn(page, who.email, who.password);
      await page.waitForURL(/\/arbeitgeber$/);
    }
    await a.getByRole('button', { name: 'Auf allen Geräten abmelden' }).click();
    await a.waitForURL(/\/anmelden\?ueberall/);
    expect(await a.locator('main').textContent()).toContain('auf allen Geräten abgemeldet');
    await expectAccessible(a);
    await screenshots(a, 'login-everywhere', '01-signed-out');
    await b.reload();
    await b.waitForURL(/\/anmelden\?weiter=/);
    await one.close();
    await two.close();
  }, 120_000);
});
