/**
 * The kiosk for job seekers (issue 13, point 1) in Chromium against `jobbruecke start` with the demo city: a search
 * with filters, the detail and the print view, the automatic reset that leaves nothing of the previous user,
 * keyboard-only use, Arabic right to left, every interface language, and the pages without JavaScript. axe-core
 * checks every page; screenshots go to test-results/screenshots/kiosk-*.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kioskMessages, LANGUAGES } from '../../pages/messages/index.ts';
import {
  type DemoService,
  expectAccessible,
  launchBrowser,
  PHONE,
  screenshots,
  startDemoService,
} from '../helpers/browser.ts';

const de = kioskMessages('de');
let demo: DemoService;
let browser: Browser;
/** Script errors of any kiosk page; each test ends with none. */
const pageErrors: Error[] = [];

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

async function newPage(
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1024 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err));
  return { context, page };
}

const hitTitles = (page: Page) => page.locator('.hit-title a').allTextContents();

/** Presses Tab until the focused element matches, and returns how many presses it took. */
async function tabTo(page: Page, selector: string, limit = 80): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) {
      return presses;
    }
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe('kiosk search, detail and print view', () => {
  it('finds vacancies with words, place, radius, working time, field and offer type', async () => {
    const { context, page } = await newPage();
    await page.goto(`${demo.baseUrl}/kiosk`);
    await expect.poll(() => page.title()).toContain(de.startTitle);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-search', '01-start');

    await page.getByLabel(de.whatLabel).fill('Lager');
    await page.getByLabel(de.whereLabel).fill('Stuttgart');
    await page.getByLabel(de.radiusLabel).selectOption('25');
    await page.getByLabel(de.workingTime.vollzeit).check();
    await page.getByRole('button', { name: de.submit }).click();
    await page.waitForURL(/\/kiosk\/suche\?/);

    const url = new URL(page.url());
    expect(url.searchParams.get('q')).toBe('Lager');
    expect(url.searchParams.get('ort')).toBe('Stuttgart');
    expect(url.searchParams.getAll('arbeitszeit')).toEqual(['vollzeit']);
    const heading = await page.locator('h1').textContent();
    const total = Number((heading ?? '').replace(/\D/g, ''));
    expect(total).toBeGreaterThan(0);
    const hits = page.locator('.hit');
    expect(await hits.count()).toBeGreaterThan(0);
    expect(await hits.count()).toBeLessThanOrEqual(10);
    for (const facts of await page.locator('.hit-facts').allTextContents()) {
      expect(facts).toContain('Vollzeit');
      const km = Number(/([\d,]+) km entfernt/.exec(facts)?.[1]?.replace(',', '.'));
      expect(km).toBeLessThanOrEqual(25);
    }
    // Facet counts beside the choices, and the form keeps what was searched.
    expect(await page.locator('label[for="arbeitszeit-vollzeit"]').textContent()).toMatch(/Vollzeit \([\d.]+\)/);
    await expect.poll(() => page.getByLabel(de.whatLabel).inputValue()).toBe('Lager');
    await expectAccessible(page);
    await screenshots(page, 'kiosk-search', '02-results');

    // Narrow by occupational field and offer type from the results page.
    await page.getByLabel(de.fieldLabel).selectOption('5');
    await page.getByLabel(de.offerType.arbeit).check();
    await page.getByRole('button', { name: de.submit }).click();
    await page.waitForURL(/berufsfeld=5/);
    const narrowed = Number(((await page.locator('h1').textContent()) ?? '').replace(/\D/g, ''));
    expect(narrowed).toBeGreaterThan(0);
    expect(narrowed).toBeLessThanOrEqual(total);
    expect(new URL(page.url()).searchParams.get('angebot')).toBe('arbeit');

    // Paging keeps the search.
    if (narrowed > 10) {
      const first = await hitTitles(page);
      await page.getByRole('link', { name: de.nextPage }).click();
      await page.waitForURL(/seite=2/);
      expect(new URL(page.url()).searchParams.get('berufsfeld')).toBe('5');
      expect(await hitTitles(page)).not.toEqual(first);
      await expectAccessible(page);
      await page.getByRole('link', { name: de.previousPage }).click();
      await page.waitForURL((u) => !u.searchParams.has('seite'));
    }

    // Detail: the essentials, how to apply, the text as published.
    const title = (await page.locator('.hit-title a').first().textContent()) ?? '';
    await page.locator('.hit-title a').first().click();
    await page.waitForURL(/\/kiosk\/stelle\//);
    expect(await page.locator('h1').textContent()).toBe(title);
    await expect.poll(() => page.getByRole('heading', { name: de.howToApply }).count()).toBe(1);
    expect(await page.locator('.facts').textContent()).toContain('Vollzeit');
    expect(await page.locator('.facts').textContent()).toMatch(/km entfernt/);
    expect((await page.locator('.description').textContent())?.length).toBeGreaterThan(50);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-search', '03-detail');

    // Print view: one A4 page.
    await page.getByRole('link', { name: de.printLink }).click();
    await page.waitForURL(/\/druck/);
    expect(await page.locator('h1').textContent()).toBe(title);
    await expect.poll(() => page.getByRole('button', { name: de.printButton }).isVisible()).toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-search', '04-print-view');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.kiosk-header').isVisible()).toBe(false);
    await screenshots(page, 'kiosk-search', '05-print-media');
    await page.emulateMedia({ media: 'screen' });

    // Back to the detail and to the results, with the search kept.
    await page.getByRole('link', { name: de.backToDetail }).click();
    await page.getByRole('link', { name: de.backToResults }).click();
    await page.waitForURL(/\/kiosk\/suche\?/);
    expect(new URL(page.url()).searchParams.get('berufsfeld')).toBe('5');
    await context.close();
  });

  it('shows the QR code of the origin address for a crawled vacancy and never links away from the kiosk', async () => {
    const { context, page } = await newPage();
    // The demo city's crawled vacancies carry their board's address; employer submissions have none.
    await page.goto(`${demo.baseUrl}/kiosk/suche?q=Koch`);
    const links = await page
      .locator('.hit-title a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') as string));
    let found = false;
    for (const href of links) {
      await page.goto(new URL(href, demo.baseUrl).href);
      if ((await page.locator('.origin-url').count()) === 0) {
        expect(await page.locator('.apply').textContent()).toContain(de.applyWithoutLink);
        continue;
      }
      found = true;
      expect(await page.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(await page.locator('.origin-url').textContent()).toMatch(/https?:\/\//);
      break;
    }
    if (!found) expect(await page.locator('.apply').textContent()).toContain(de.applyWithoutLink);
    // No link leaves the kiosk: pages of other sites are out of reach of its reset.
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') as string));
    const origin = new URL(demo.baseUrl).origin;
    expect(hrefs.filter((href) => new URL(href, page.url()).origin !== origin)).toEqual([]);
    await context.close();
  });

  it('answers an unknown place and a made-up choice with a message linked to the field', async () => {
    const { context, page } = await newPage();
    await page.goto(`${demo.baseUrl}/kiosk`);
    await page.getByLabel(de.whereLabel).fill('Nirgendwohausen');
    await page.getByRole('button', { name: de.submit }).click();
    await page.waitForURL(/ort=Nirgendwohausen/);
    const field = page.locator('#ort');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toContain('ort-error');
    expect(await page.locator('#ort-error').textContent()).toBe(de.errorPlace);
    expect(await page.locator('.error-summary a').getAttribute('href')).toBe('#ort');
    await expect.poll(() => field.inputValue()).toBe('Nirgendwohausen');
    await expectAccessible(page);
    await screenshots(page, 'kiosk-search', '06-error');

    const res = await page.goto(`${demo.baseUrl}/kiosk/suche?angebot=weltraum&seite=9999`);
    expect(res?.status()).toBe(400);
    expect(await page.locator('.error-summary').textContent()).toContain(de.errorChoice);
    expect(await page.locator('.error-summary').textContent()).toContain(de.errorPage);

    const missing = await page.goto(`${demo.baseUrl}/kiosk/stelle/00000000-0000-4000-8000-000000000000`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe(de.notFoundTitle);
    await expectAccessible(page);
    await context.close();
  });

  it('works without JavaScript: search, detail, print view and "Neue Suche"', async () => {
    const { context, page } = await newPage({ javaScriptEnabled: false });
    await page.goto(`${demo.baseUrl}/kiosk`);
    await page.getByLabel(de.whatLabel).fill('Pflege');
    await page.getByLabel(de.workingTime.teilzeit).check();
    await page.getByRole('button', { name: de.submit }).click();
    await page.waitForURL(/\/kiosk\/suche\?/);
    expect(await page.locator('.hit').count()).toBeGreaterThan(0);
    await page.locator('.hit-title a').first().click();
    await page.waitForURL(/\/kiosk\/stelle\//);
    await page.getByRole('link', { name: de.printLink }).click();
    await page.waitForURL(/\/druck/);
    // The print button needs the script; without it the browser's own print is there.
    expect(await page.getByRole('button', { name: de.printButton }).isVisible()).toBe(false);
    const reset = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/kiosk/neu')),
      page.getByRole('link', { name: de.newSearch }).click(),
    ]);
    expect(reset[0].status()).toBe(303);
    // Chromium consumes Clear-Site-Data itself and does not report it; the service's answer shows it.
    const direct = await fetch(`${demo.baseUrl}/kiosk/neu`, { redirect: 'manual' });
    expect(direct.headers.get('clear-site-data')).toBe('"storage"');
    expect(direct.headers.get('location')).toBe('/kiosk');
    await page.waitForURL((u) => u.pathname === '/kiosk' && u.search === '');
    expect(await page.getByLabel(de.whatLabel).inputValue()).toBe('');
    await context.close();
  });
});

describe('kiosk auto-reset', () => {
  it('after the idle time warns, counts down and leaves nothing of the search: page, history, forms, storage', async () => {
    const { context, page } = await newPage();
    await page.clock.install();
    await page.goto(`${demo.baseUrl}/kiosk`);
    const startLength = await page.evaluate<number>('history.length');

    await page.getByLabel(de.whatLabel).fill('Lager');
    await page.getByLabel(de.whereLabel).fill('Esslingen am Neckar');
    await page.getByLabel(de.workingTime.teilzeit).check();
    await page.getByRole('button', { name: de.submit }).click();
    await page.waitForURL(/\/kiosk\/suche\?/);
    const title = (await page.locator('.hit-title a').first().textContent()) ?? '';
    expect(title).not.toBe('');
    await page.locator('.hit-title a').first().click();
    await page.waitForURL(/\/kiosk\/stelle\//);
    // Navigation inside the kiosk replaces the history entry: nothing to go back to.
    expect(await page.evaluate<number>('history.length')).toBe(startLength);
    // Whatever might have been stored by anyone on this origin.
    await page.evaluate(`
      localStorage.setItem('left-behind', 'Lager');
      sessionStorage.setItem('left-behind', 'Lager');
      document.cookie = 'left-behind=Lager; path=/';
    `);

    // Idle: the warning comes 30 s before the reset, with a countdown; any input stops it.
    await page.clock.fastForward('02:31');
    const warning = page.locator('#reset-warning');
    await expect.poll(() => warning.isVisible()).toBe(true);
    expect(await warning.textContent()).toContain(de.resetQuestion);
    expect(await page.locator('.reset-countdown').textContent()).toMatch(/Noch (29|30) Sekunden/);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-reset', '01-warning');
    await page.getByRole('button', { name: de.resetContinue }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => warning.isVisible()).toBe(false);
    expect(page.url()).toContain('/kiosk/stelle/');

    // Idle again, this time to the end.
    await page.clock.fastForward('02:31');
    await expect.poll(() => warning.isVisible()).toBe(true);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/kiosk' && u.search === ''),
      page.clock.fastForward('00:31'),
    ]);
    await page.waitForLoadState('load');

    expect(await page.locator('h1').textContent()).toBe(de.startTitle);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toContain(title);
    expect(text).not.toContain('Esslingen');
    expect(await page.getByLabel(de.whatLabel).inputValue()).toBe('');
    expect(await page.getByLabel(de.whereLabel).inputValue()).toBe('');
    expect(await page.getByLabel(de.workingTime.teilzeit).isChecked()).toBe(false);
    expect(await page.evaluate<number>('history.length')).toBe(startLength);
    expect(
      await page.evaluate('({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie })'),
    ).toEqual({ local: 0, session: 0, cookie: '' });
    expect(await context.cookies()).toEqual([]);
    // Back leads only to what was there before the kiosk opened (here Chromium's first about:blank), never to a
    // search; forward returns to the clean start page.
    await page.goBack().catch(() => null);
    expect(page.url() === 'about:blank' || new URL(page.url()).pathname === '/kiosk').toBe(true);
    expect(await page.locator('body').textContent()).not.toContain(title);
    await page.goForward().catch(() => null);
    expect(new URL(page.url()).pathname).toBe('/kiosk');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.locator('body').textContent()).not.toContain(title);
    await screenshots(page, 'kiosk-reset', '02-clean-start');
    await context.close();
  });

  it('"Neue Suche" clears the search and keeps the chosen language', async () => {
    const { context, page } = await newPage();
    const tr = kioskMessages('tr');
    await page.goto(`${demo.baseUrl}/kiosk?lang=tr`);
    const startLength = await page.evaluate<number>('history.length');
    await page.getByLabel(tr.whatLabel).fill('Koch');
    await page.getByRole('button', { name: tr.submit }).click();
    await page.waitForURL(/\/kiosk\/suche\?/);
    expect(new URL(page.url()).searchParams.get('lang')).toBe('tr');
    await page.getByRole('link', { name: tr.newSearch }).click();
    await page.waitForURL((u) => u.pathname === '/kiosk' && u.search === '?lang=tr');
    expect(await page.getByLabel(tr.whatLabel).inputValue()).toBe('');
    expect(await page.evaluate<number>('history.length')).toBe(startLength);
    await context.close();
  });
});

describe('kiosk keyboard, languages and right to left', () => {
  it('is usable with the keyboard alone: skip link, search, results, detail', async () => {
    const { context, page } = await newPage();
    await page.goto(`${demo.baseUrl}/kiosk`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.className')).toBe('skip-link');
    // The focus indicator is visible.
    expect(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('Enter');
    await tabTo(page, '#q');
    await page.keyboard.type('Lager');
    await tabTo(page, '#ort');
    await page.keyboard.type('70173');
    await tabTo(page, '#arbeitszeit-vollzeit');
    await page.keyboard.press('Space');
    await tabTo(page, 'button[type="submit"]');
    await screenshots(page, 'kiosk-keyboard', '01-form-focused');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/kiosk\/suche\?/);
    expect(new URL(page.url()).searchParams.getAll('arbeitszeit')).toEqual(['vollzeit']);

    const presses = await tabTo(page, '.hit-title a');
    // Skip link, header (brand, "Neue Suche", five languages), then the first result.
    expect(presses).toBeLessThanOrEqual(10);
    const title = await page.evaluate<string>('document.activeElement?.textContent');
    await screenshots(page, 'kiosk-keyboard', '02-result-focused');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/kiosk\/stelle\//);
    expect(await page.locator('h1').textContent()).toBe(title);
    await tabTo(page, '.button-primary');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe(de.printLink);
    await context.close();
  });

  it.each(LANGUAGES)('start page in %s: language, direction, texts, 0 axe violations', async (lang) => {
    const m = kioskMessages(lang);
    const { context, page } = await newPage();
    await page.goto(`${demo.baseUrl}/kiosk?lang=${lang}`);
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    expect(await page.locator('html').getAttribute('dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
    expect(await page.locator('h1').textContent()).toBe(m.startTitle);
    expect(await page.getByRole('button', { name: m.submit }).count()).toBe(1);
    expect(await page.locator('.languages [aria-current="true"]').getAttribute('lang')).toBe(lang);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-languages', `start-${lang}`);
    await context.close();
  });

  it('renders Arabic right to left, and the language travels with the search', async () => {
    const ar = kioskMessages('ar');
    const { context, page } = await newPage();
    await page.goto(`${demo.baseUrl}/kiosk`);
    await page.locator('.languages a[lang="ar"]').click();
    await page.waitForURL(/lang=ar/);
    expect(await page.evaluate<string>('getComputedStyle(document.body).direction')).toBe('rtl');
    // Mirrored: the brand at the right of the header, labels and fields aligned to the right edge.
    const brand = await page.locator('.brand-link').boundingBox();
    const newSearch = await page.locator('.new-search').boundingBox();
    expect(brand && newSearch && brand.x > newSearch.x).toBe(true);
    const box = await page.locator('#arbeitszeit-vollzeit').boundingBox();
    const boxLabel = await page.locator('label[for="arbeitszeit-vollzeit"]').boundingBox();
    expect(box && boxLabel && box.x > boxLabel.x).toBe(true);

    await page.getByLabel(ar.whatLabel).fill('Lager');
    await page.getByRole('button', { name: ar.submit }).click();
    await page.waitForURL(/\/kiosk\/suche\?/);
    expect(new URL(page.url()).searchParams.get('lang')).toBe('ar');
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    // Vacancy texts stay as published (German), marked as such.
    expect(await page.locator('.hit-title a').first().getAttribute('lang')).toBe('de');
    const results = await page.locator('.results').boundingBox();
    const refine = await page.locator('.refine').boundingBox();
    expect(results && refine && results.x > refine.x).toBe(true);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-arabic', '01-results');
    await page.locator('.hit-title a').first().click();
    await page.waitForURL(/\/kiosk\/stelle\/.*lang=ar/);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-arabic', '02-detail');
    await page.setViewportSize(PHONE);
    await page.getByRole('link', { name: ar.printLink }).click();
    await page.waitForURL(/\/druck\?.*lang=ar/);
    await expectAccessible(page);
    await screenshots(page, 'kiosk-arabic', '03-print-view');
    await context.close();
  });
});

describe('assets of the pages', () => {
  it('serves them with their content type, a year of cache for the versioned address, and nothing outside the folder', async () => {
    const { context, page } = await newPage();
    await page.goto(`${demo.baseUrl}/kiosk`);
    const css = (await page.locator('link[rel="stylesheet"]').first().getAttribute('href')) ?? '';
    const js = (await page.locator('script[src]').first().getAttribute('src')) ?? '';
    expect(css).toMatch(/^\/assets\/kiosk\.css\?v=[0-9a-f]{16}$/);
    await context.close();

    const versioned = await fetch(`${demo.baseUrl}${css}`);
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${demo.baseUrl}${js}`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');

    const plain = await fetch(`${demo.baseUrl}/assets/kiosk.css`);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=86400, must-revalidate');
    const etag = plain.headers.get('etag') ?? '';
    const again = await fetch(`${demo.baseUrl}/assets/kiosk.css`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);

    for (const path of ['/assets/..%2Fassets.ts', '/assets/.env', '/assets/nothing.css', '/assets/kiosk.css.map']) {
      expect((await fetch(`${demo.baseUrl}${path}`)).status, path).toBe(404);
    }
  });
});
