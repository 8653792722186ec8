/**
 * A vacancy that carries script in its title and description never runs it in any kiosk page. Two layers:
 * 1. end to end: the vacancy is submitted through the running service's employer API (so it takes the ingest path
 *    with its text cleaning), then searched, opened and printed in Chromium;
 * 2. output escaping alone: the kiosk's own components render a vacancy whose texts still hold raw markup (as if
 *    the cleaning on the way in had missed it), and Chromium loads that HTML without the CSP that would otherwise
 *    mask a missing escape.
 * Any dialog, any `window.__xss` flag, any element with an event-handler attribute fails the test.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_FORM } from '../../pages/kiosk/search-form.ts';
import { PrintPage, VacancyPage, type VacancyView } from '../../pages/kiosk/vacancy-page.tsx';
import { kioskMessages } from '../../pages/messages/index.ts';
import { DEMO_ACCOUNTS } from '../../src/demo/seed.ts';
import type { VacancyDetailRow } from '../../src/vacancies/vacancy.ts';
import {
  type DemoService,
  expectAccessible,
  launchBrowser,
  screenshots,
  startDemoService,
} from '../helpers/browser.ts';

const MARKER = 'Xssprobe';
const HOSTILE_TITLE = `Lagerhelfer ${MARKER} <script>window.__xss = 'title-script'; alert(1)</script><img src=x onerror="window.__xss = 'title-img'; alert(2)">`;
const HOSTILE_DESCRIPTION = [
  'Wir suchen Verstärkung im Lager.',
  `<img src=x onerror="window.__xss = 'desc-img'; alert(3)">`,
  `&lt;script&gt;window.__xss = 'desc-entity'; alert(4)&lt;/script&gt;`,
  `&amp;lt;img src=x onerror=window.__xss='desc-double'&amp;gt;`,
  `<svg onload="window.__xss = 'desc-svg'"></svg><a href="javascript:window.__xss='desc-link'">Link</a>`,
  `<iframe src="javascript:alert(5)"></iframe> Wir freuen uns auf Ihre Bewerbung!`,
].join(' ');

const de = kioskMessages('de');
let demo: DemoService;
let browser: Browser;

beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemoService(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

interface Watch {
  dialogs: string[];
  errors: string[];
}

async function watchedPage(): Promise<{ page: Page; watch: Watch }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1024 } });
  const page = await context.newPage();
  const watch: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (err) => watch.errors.push(String(err)));
  return { page, watch };
}

/** Nothing ran, and the page holds no element that could run something. */
async function expectInert(page: Page, watch: Watch): Promise<void> {
  expect(await page.evaluate('window.__xss')).toBeUndefined();
  expect(watch.dialogs).toEqual([]);
  expect(watch.errors).toEqual([]);
  // Evaluated as a string: the page's DOM types are not in this project's TypeScript libs.
  const active = await page.evaluate(`({
    handlers: [...document.querySelectorAll('*')].filter((e) =>
      [...e.attributes].some((a) => a.name.toLowerCase().startsWith('on'))).length,
    inlineScripts: [...document.scripts].filter((s) => !s.hasAttribute('src')).length,
    foreignScripts: [...document.scripts].filter((s) => !s.getAttribute('src').startsWith('/assets/')).length,
    frames: document.querySelectorAll('iframe, object, embed, svg').length,
    javascriptLinks: [...document.querySelectorAll('a[href]')].filter((a) =>
      a.getAttribute('href').trim().toLowerCase().startsWith('javascript:')).length,
  })`);
  expect(active).toEqual({ handlers: 0, inlineScripts: 0, foreignScripts: 0, frames: 0, javascriptLinks: 0 });
}

describe('hostile vacancy texts in the kiosk', () => {
  it('submitted through the employer API, never execute in results, detail or print view', async () => {
    const employer = DEMO_ACCOUNTS.find((a) => a.role === 'employer');
    const submitted = await fetch(`${demo.baseUrl}/api/v1/employer/vacancies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${employer?.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: HOSTILE_TITLE,
        description: HOSTILE_DESCRIPTION,
        plz: '70173',
        working_times: ['vollzeit'],
        contract_type: 'unbefristet',
        offer_type: 'arbeit',
        placement_order: false,
      }),
    });
    expect(submitted.status).toBe(201);
    // The index follows the outbox about once a second.
    await expect
      .poll(
        async () => {
          const res = await fetch(`${demo.baseUrl}/api/v1/vacancies?q=${MARKER}`);
          return ((await res.json()) as { total: number }).total;
        },
        { timeout: 30_000 },
      )
      .toBe(1);

    const { page, watch } = await watchedPage();
    await page.goto(`${demo.baseUrl}/kiosk/suche?q=${MARKER}`);
    const title = (await page.locator('.hit-title a').first().textContent()) ?? '';
    expect(title).toContain(`Lagerhelfer ${MARKER}`);
    await expectInert(page, watch);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-hostile', '01-results');

    await page.locator('.hit-title a').first().click();
    await page.waitForURL(/\/kiosk\/stelle\//);
    expect(await page.locator('h1').textContent()).toBe(title);
    expect(await page.locator('.description').textContent()).toContain('Wir suchen Verstärkung im Lager.');
    // Employer submissions have no public origin address: the kiosk says how to apply through the job centre.
    expect(await page.locator('.apply').textContent()).toContain(de.applyWithoutLink);
    await expectInert(page, watch);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-hostile', '02-detail');

    await page.getByRole('link', { name: de.printLink }).click();
    await page.waitForURL(/\/druck/);
    await expectInert(page, watch);
    await page.close();
  });

  it('are escaped on the way out even if they reached the pages unsanitised', async () => {
    const vacancy = {
      id: '00000000-0000-4000-8000-000000000001',
      status: 'open',
      title: HOSTILE_TITLE,
      description: HOSTILE_DESCRIPTION,
      employerName: `Firma <img src=x onerror="window.__xss='employer'">`,
      kldbCode: '51312',
      plz: '70173',
      place: `Stuttgart"><script>window.__xss='place'</script>`,
      lat: 48.78,
      lon: 9.18,
      remote: false,
      workingTimes: ['vollzeit'],
      contractType: 'unbefristet',
      offerType: 'arbeit',
      salary: null,
      skills: [],
      licences: [],
      languages: [],
      publishedAt: new Date('2026-11-20T09:00:00Z'),
      validThrough: null,
    } as unknown as VacancyDetailRow;
    const view: VacancyView = {
      vacancy,
      links: [],
      origins: [
        {
          url: 'https://example.invalid/"><script>x</script>',
          shown: `https://example.invalid/"><script>window.__xss='url'</script>`,
        },
      ],
    };
    const url = new URL('http://kiosk.invalid/kiosk/stelle/x');
    for (const [name, node] of [
      ['detail', VacancyPage({ lang: 'de', m: de, url, form: EMPTY_FORM, view })],
      ['print', PrintPage({ lang: 'de', m: de, url, form: EMPTY_FORM, view, printedAt: new Date() })],
    ] as const) {
      const html = await (await node).toString();
      const { page, watch } = await watchedPage();
      // No CSP here on purpose: only the escaping stands between the text and the parser.
      await page.setContent(html, { waitUntil: 'domcontentloaded' });
      expect(await page.locator('h1').textContent(), name).toBe(HOSTILE_TITLE);
      expect(await page.locator('.employer').textContent(), name).toContain('<img src=x');
      await expectInert(page, watch);
      await page.close();
    }
  });
});
