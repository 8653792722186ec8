/**
 * Job boards that render their listing with JavaScript. Chromium never talks to the network itself: every request
 * the page makes is intercepted and either refused (third-party hosts, images, fonts, media, styles) or fetched by
 * the polite fetcher, so the SSRF guard, robots.txt, the shared rate limit and the size limits apply as for any
 * other source.
 */
import type { BrowserContext, Page, Route } from 'playwright-core';
import { z } from 'zod';
import type { RawPosting } from '../src/domain/posting.ts';
import { sharedBrowser } from './browser-provider.ts';
import { clean, parseConfig, recordError, toRawPosting } from './common.ts';
import { CrawlError } from './http/errors.ts';
import type { Fetcher } from './http/fetcher.ts';
import { userAgent } from './http/options.ts';
import type { CrawlContext, SourceResult } from './types.ts';

export const BrowserConfig = z.object({
  /** Listing page; the source URL when absent. */
  listUrl: z.string().url().optional(),
  /** Links (<a href>) from the listing to the postings. */
  itemLinkSelector: z.string().min(1),
  /** A link (<a href>) to the next listing page. */
  nextPageSelector: z.string().min(1).optional(),
  maxPages: z.number().int().min(1).max(50).default(5),
  maxItems: z.number().int().min(1).max(1000).default(200),
  detail: z.object({
    title: z.string().min(1),
    employer: z.string().min(1).optional(),
    location: z.string().min(1).optional(),
    description: z.string().min(1).optional(),
  }),
  /** Hosts besides the listing's own that pages may load scripts or data from (e.g. the board's API host). */
  allowedHosts: z.array(z.string().min(1)).default([]),
  pageTimeoutMs: z.number().int().min(1000).max(120_000).default(30_000),
});
type BrowserConfig = z.infer<typeof BrowserConfig>;

const REFUSED_RESOURCE_TYPES = new Set([
  'image',
  'media',
  'font',
  'stylesheet',
  'manifest',
  'texttrack',
  'beacon',
  'ping',
]);
const FORWARDED_REQUEST_HEADERS = ['accept', 'accept-language', 'content-type', 'x-requested-with'];
/** Hop-by-hop and encoding headers describe the fetcher's connection, not the body handed to the page. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
]);

interface RouteGuard {
  fetcher: Fetcher;
  allowedHosts: Set<string>;
  /** Why a request failed, so a failed navigation is reported with the fetcher's typed error. */
  failures: Map<string, CrawlError>;
}

async function handleRoute(route: Route, guard: RouteGuard): Promise<void> {
  const request = route.request();
  const url = request.url();
  const host = URL.canParse(url) ? new URL(url).hostname.toLowerCase() : '';
  if (REFUSED_RESOURCE_TYPES.has(request.resourceType()) || !guard.allowedHosts.has(host)) {
    await route.abort('blockedbyclient').catch(() => {});
    return;
  }
  const headers = Object.fromEntries(
    Object.entries(request.headers()).filter(([name]) => FORWARDED_REQUEST_HEADERS.includes(name.toLowerCase())),
  );
  try {
    const response = await guard.fetcher.fetch(url, {
      method: request.method(),
      body: request.postDataBuffer() ?? undefined,
      headers,
    });
    const responseHeaders = Object.fromEntries(
      Object.entries(response.headers).filter(([name]) => !DROPPED_RESPONSE_HEADERS.has(name)),
    );
    await route.fulfill({ status: response.status, headers: responseHeaders, body: response.body });
  } catch (error) {
    guard.failures.set(url, error instanceof CrawlError ? error : new CrawlError('network', String(error), url));
    // The context may already be closed when a late request fails; nothing is left to tell.
    await route
      .abort(error instanceof CrawlError && error.kind === 'timeout' ? 'timedout' : 'blockedbyclient')
      .catch(() => {});
  }
}

/** Loads a page and waits for a selector; failures become the fetcher's typed error where there is one. */
async function open(page: Page, url: string, selector: string, guard: RouteGuard): Promise<void> {
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector(selector);
  } catch (error) {
    const cause = guard.failures.get(url) ?? guard.failures.get(page.url());
    if (cause) throw cause;
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new CrawlError(timedOut ? 'timeout' : 'network', message, url);
  }
}

async function textOf(page: Page, selector: string | undefined): Promise<string | undefined> {
  if (!selector) return undefined;
  const element = page.locator(selector).first();
  if ((await element.count()) === 0) return undefined;
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is wanted: it keeps line breaks and leaves out hidden markup
  return (await element.innerText()).trim() || undefined;
}

async function collectLinks(
  page: Page,
  config: BrowserConfig,
  listUrl: string,
  guard: RouteGuard,
  context: CrawlContext,
) {
  const links = new Set<string>();
  let pageUrl: string | undefined = listUrl;
  let exhausted = false;
  for (let n = 1; pageUrl && n <= config.maxPages; n++) {
    await open(page, pageUrl, config.itemLinkSelector, guard);
    for (const link of await page.locator(config.itemLinkSelector).all()) {
      const href = await link.getAttribute('href');
      if (href && URL.canParse(href, page.url())) links.add(new URL(href, page.url()).href);
    }
    const next = config.nextPageSelector ? page.locator(config.nextPageSelector).first() : undefined;
    const nextHref = next && (await next.count()) > 0 ? await next.getAttribute('href') : null;
    if (!nextHref) {
      exhausted = true;
      if (next && (await next.count()) > 0) {
        context.errors.push({ url: pageUrl, kind: 'config', message: 'next page element has no href' });
      }
      break;
    }
    pageUrl = new URL(nextHref, page.url()).href;
  }
  return { links: [...links], exhausted };
}

export async function crawlBrowser(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(BrowserConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const listUrl = config.listUrl ?? context.spec.url;
  const guard: RouteGuard = {
    fetcher: context.fetcher,
    allowedHosts: new Set([new URL(listUrl).hostname, ...config.allowedHosts].map((h) => h.toLowerCase())),
    failures: new Map(),
  };

  let browserContext: BrowserContext | undefined;
  try {
    const browser = await (context.deps.browser ?? sharedBrowser).getBrowser();
    browserContext = await browser.newContext({
      userAgent: userAgent(context.fetcher.options),
      locale: 'de-DE',
      serviceWorkers: 'block',
      acceptDownloads: false,
    });
    await browserContext.route('**/*', (route) => handleRoute(route, guard));
    // WebSockets bypass request routing; a route without connectToServer never reaches the network.
    await browserContext.routeWebSocket(/.*/, (ws) => ws.close());
    const page = await browserContext.newPage();
    page.setDefaultTimeout(config.pageTimeoutMs);

    const { links, exhausted } = await collectLinks(page, config, listUrl, guard, context);
    const postings: RawPosting[] = [];
    for (const link of links.slice(0, config.maxItems)) {
      try {
        await open(page, link, config.detail.title, guard);
        const title = await textOf(page, config.detail.title);
        const location = await textOf(page, config.detail.location);
        const posting = toRawPosting(
          {
            externalId: link,
            url: link,
            title: title ?? '',
            description: (await textOf(page, config.detail.description)) ?? '',
            employerName: clean(await textOf(page, config.detail.employer)),
            locations: location ? [{ city: clean(location) }] : [],
          },
          context.errors,
          link,
        );
        if (posting) postings.push(posting);
      } catch (error) {
        recordError(context.errors, error, link);
      }
    }
    return { postings, listingExhausted: exhausted && links.length <= config.maxItems };
  } catch (error) {
    recordError(context.errors, error, listUrl);
    return { postings: [], listingExhausted: false };
  } finally {
    await browserContext?.close().catch(() => {});
  }
}
