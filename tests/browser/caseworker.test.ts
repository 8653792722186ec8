/**
 * The caseworkers' workbench and the branch lead's dashboard (issue 13, points 2 and 3) in Chromium against
 * `jobbruecke start` with the demo city. An employer order arrives through the JSON API (demo employer token); the
 * demo caseworker signs in, opens it from the inbox, codes it, proposes two candidates from the explained list and
 * sees the SLA met; then the customer pages, the import and the task list. The demo branch lead reads the dashboard.
 * axe-core checks every page; screenshots go to test-results/screenshots/workbench-*.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { W } from '../../pages/messages/workbench.de.ts';
import { DEMO_ACCOUNTS } from '../../src/demo/seed.ts';
import {
  type DemoService,
  expectAccessible,
  launchBrowser,
  screenshots,
  startDemoService,
} from '../helpers/browser.ts';

let demo: DemoService;
let browser: Browser;
const pageErrors: Error[] = [];
const account = (role: (typeof DEMO_ACCOUNTS)[number]['role']) => DEMO_ACCOUNTS.find((a) => a.role === role)!;

beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemoService(), launchBrowser()]);
});

afterEach(() => {
  expect(pageErrors.map(String)).toEqual([]);
  pageErrors.length = 0;
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

async function signedIn(role: 'caseworker' | 'branch_lead'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1024 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err));
  await page.goto(`${demo.baseUrl}/app`);
  // Not signed in: the sign-in page, which brings the person back afterwards.
  await page.waitForURL(/\/anmelden/);
  const who = account(role);
  await page.getByLabel('E-Mail-Adresse').fill(who.email);
  await page.getByLabel('Passwort').fill(who.password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(/\/app$/);
  return { context, page };
}

/** An employer order through the JSON API, as the employer portal's clients send it. */
async function submitOrder(title: string): Promise<{ vacancy_id: string; reference: string }> {
  const res = await fetch(`${demo.baseUrl}/api/v1/employer/vacancies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${account('employer').token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title,
      description: 'Wir suchen eine Köchin oder einen Koch für unsere Kantine. Erfahrung mit HACCP erwünscht (Test).',
      plz: '70173',
      working_times: ['vollzeit', 'teilzeit'],
      contract_type: 'unbefristet',
      placement_order: true,
    }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { vacancy_id: string; reference: string };
}

describe('caseworker workbench', () => {
  it('opens a new order from the inbox, codes it, proposes candidates and sees the SLA met', async () => {
    const order = await submitOrder('Koch / Köchin Kantine (Browsertest)');
    const { context, page } = await signedIn('caseworker');

    await expect.poll(() => page.title()).toContain(W.inbox.title);
    const row = page.locator('#eingang tr', {
      has: page.getByRole('link', { name: 'Koch / Köchin Kantine (Browsertest)' }),
    });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('.badge').textContent()).toBe('offen');
    expect(await row.textContent()).toContain('noch ');
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '01-inbox');

    await row.getByRole('link', { name: 'Koch / Köchin Kantine (Browsertest)' }).click();
    await page.waitForURL(new RegExp(`/app/stellen/${order.vacancy_id}`));
    expect(await page.locator('h1').textContent()).toBe('Koch / Köchin Kantine (Browsertest)');
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '02-vacancy');

    // Confirm the cook's code: the typed code is taken when "Anderer Code" is chosen.
    await page.getByLabel(W.vacancy.codingOther, { exact: true }).check();
    await page.getByLabel(W.vacancy.codingOtherLabel).fill('29302');
    await page.getByRole('button', { name: W.vacancy.codingSubmit }).click();
    await page.waitForURL(/code=ok/);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('29302');

    const choices = page.locator('input.candidate-choice');
    await expect.poll(() => choices.count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#obergrenzen').textContent()).toContain('Noch möglich: 5.');
    await page.locator('details').filter({ hasText: W.vacancy.why }).first().locator('summary').click();
    await choices.nth(0).check();
    await choices.nth(1).check();
    // The small script says how many are chosen against the cap.
    expect(await page.locator('#auswahl-status').textContent()).toBe('2 ausgewählt, noch 5 möglich.');
    await page.getByLabel(W.vacancy.proposeNote).fill('Zwei passende Personen aus dem Browsertest.');
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '03-candidates');

    await page.getByRole('button', { name: W.vacancy.proposeSubmit }).click();
    await page.waitForURL(/gesendet=2/);
    expect(await page.getByRole('status').first().textContent()).toContain('2 Vorschläge wurden gesendet.');
    expect(await page.locator('#frist').locator('..').locator('.badge').textContent()).toBe('fristgerecht beantwortet');
    expect(await page.locator('#obergrenzen').textContent()).toContain('Offen: 2. Noch möglich: 3.');
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '04-proposed');

    // Answered in time: the order has left the inbox's "to answer" view.
    await page.getByRole('link', { name: W.nav.inbox }).first().click();
    await page.waitForURL(/\/app$/);
    expect(await page.getByRole('link', { name: 'Koch / Köchin Kantine (Browsertest)' }).count()).toBe(0);
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '05-inbox-met');
    await context.close();
  });

  it('shows the customer list, a customer’s profile form with ranked vacancies, the import and the tasks', async () => {
    const { context, page } = await signedIn('caseworker');
    await page.getByRole('link', { name: W.nav.customers }).click();
    await page.waitForURL(/\/app\/kunden$/);
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '06-customers');

    await page.locator('table tbody th a').first().click();
    await page.waitForURL(/\/app\/kunden\/[0-9a-f-]{36}$/);
    expect(await page.getByLabel(W.customer.fields.plz).inputValue()).toMatch(/^\d{5}$/);
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '07-customer');

    // Saving a refused value names it in the summary, linked to the field, which keeps what was typed.
    await page.getByLabel(W.customer.fields.plz).fill('1234');
    await page.getByRole('button', { name: W.customer.save }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    expect(await page.evaluate<boolean>("document.activeElement?.classList.contains('error-summary') ?? false")).toBe(
      true,
    );
    await page.locator('.error-summary a').first().click();
    expect(await page.evaluate<string>("document.activeElement?.id ?? ''")).toBe('profil-plz');
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '08-customer-error');

    await page.goto(`${demo.baseUrl}/app/import`);
    await page.getByLabel(W.import.file).setInputFiles({
      name: 'kunden.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'kundennummer;name;profillage;zielberufe;plz;max_km;arbeitszeit;verfuegbar_ab\n' +
          'BT-0001;Testkundin Browser (Synthetisch);market;29302;70173;20;vollzeit;01.12.2026\n' +
          'BT-0002;Testkunde Browser (Synthetisch);market;29302;1234;20;vollzeit;01.12.2026\n',
      ),
    });
    await page.getByRole('button', { name: W.import.check }).click();
    await expect.poll(() => page.locator('#ergebnis').textContent()).toBe(W.import.reportDry);
    expect(await page.locator('#bericht table').last().textContent()).toContain('plz');
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '09-import-report');

    await page.getByRole('link', { name: W.nav.tasks }).click();
    await page.waitForURL(/\/app\/aufgaben$/);
    await expectAccessible(page);
    await screenshots(page, 'workbench-caseworker', '10-tasks');
    // The dashboard is not the caseworker's: no link, and the address is refused.
    expect(await page.getByRole('link', { name: W.nav.sla }).count()).toBe(0);
    const refused = await page.goto(`${demo.baseUrl}/app/sla`);
    expect(refused?.status()).toBe(403);
    await context.close();
  });
});

describe('branch lead dashboard', () => {
  it('reads compliance by week and by caseworker, the breaches and the month’s control sample', async () => {
    const { context, page } = await signedIn('branch_lead');
    await page.getByRole('link', { name: W.nav.sla }).click();
    await page.waitForURL(/\/app\/sla$/);
    expect(await page.locator('h1').textContent()).toBe(W.sla.title);
    const chart = page.locator('svg[role="img"]').first();
    expect(await chart.getAttribute('aria-labelledby')).toBe('chart-compliance-title chart-compliance-desc');
    expect(await page.locator('#chart-compliance-desc').textContent()).toContain('KW ');
    const weeks = page.locator('#tabelle-wochen tbody tr');
    await expect.poll(() => weeks.count()).toBeGreaterThan(0);
    expect(await page.locator('#tabelle-personen caption').textContent()).toBe(W.sla.byCaseworkerCaption);
    expect(await page.locator('#stichprobe').textContent()).toBe(W.sla.sample);
    await expectAccessible(page);
    await screenshots(page, 'workbench-branch-lead', '01-dashboard');

    // Another period through the form, without JavaScript's help.
    const from = new Date(Date.now() - 120 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel(W.sla.from).fill(from);
    await page.getByRole('button', { name: W.sla.show }).first().click();
    await page.waitForURL(new RegExp(`von=${from}`));
    expect(await page.locator('.error-summary').count()).toBe(0);
    await expectAccessible(page);
    await screenshots(page, 'workbench-branch-lead', '02-period');
    await context.close();
  });
});
