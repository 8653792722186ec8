/**
 * Entry point for the crawl queue: one call turns a configured source into raw postings. Source problems never
 * throw; they end up in `errors`, and `complete` tells the caller whether missing postings may be closed.
 */
import { crawlGreenhouse } from './ats/greenhouse.ts';
import { crawlLever } from './ats/lever.ts';
import { crawlRecruitee } from './ats/recruitee.ts';
import { crawlSmartRecruiters } from './ats/smartrecruiters.ts';
import { crawlWorkable } from './ats/workable.ts';
import { crawlBaJobsuche } from './ba-jobsuche.ts';
import { crawlBrowser } from './browser.ts';
import { recordError } from './common.ts';
import { crawlExchange } from './exchange.ts';
import { crawlFeed } from './feed.ts';
import { Fetcher } from './http/fetcher.ts';
import { crawlJsonLd } from './jsonld.ts';
import { crawlPersonio } from './personio.ts';
import type {
  CrawlContext,
  CrawlDeps,
  CrawlOutcome,
  CrawlState,
  SourceCrawler,
  SourceResult,
  SourceSpec,
} from './types.ts';

export { closeSharedBrowser } from './browser-provider.ts';
export { DatabaseHostRateLimiter, type HostRateLimiter, MemoryHostRateLimiter } from './http/rate-limiter.ts';
export type * from './types.ts';

const CRAWLERS: Partial<Record<SourceSpec['type'], SourceCrawler>> = {
  ba_jobsuche: crawlBaJobsuche,
  jsonld: crawlJsonLd,
  personio: crawlPersonio,
  feed: crawlFeed,
  browser: crawlBrowser,
  recruitee: crawlRecruitee,
  greenhouse: crawlGreenhouse,
  lever: crawlLever,
  smartrecruiters: crawlSmartRecruiters,
  workable: crawlWorkable,
  exchange: crawlExchange,
};

export async function crawlSource(spec: SourceSpec, state: CrawlState, deps: CrawlDeps): Promise<CrawlOutcome> {
  const started = Date.now();
  const errors: CrawlContext['errors'] = [];
  let result: SourceResult = { postings: [], listingExhausted: false };
  let fetcher: Fetcher | undefined;
  try {
    fetcher = new Fetcher(deps.http, deps.rateLimiter);
    const crawler = CRAWLERS[spec.type];
    if (crawler) result = await crawler({ spec, state, deps, errors, fetcher });
    else errors.push({ kind: 'config', message: `source type ${spec.type} is not crawled` });
  } catch (error) {
    // Source modules record their own failures; anything reaching here is a bug or bad options, reported the same way.
    recordError(errors, error, spec.url);
  } finally {
    await fetcher?.close().catch(() => {});
  }
  const notModified = result.notModified === true;
  return {
    postings: result.postings,
    complete: !notModified && result.listingExhausted && errors.length === 0,
    notModified,
    errors,
    // No source pages by cursor yet; it is carried so the queue layer can store it unchanged.
    state: { ...state, validators: mergeValidators(state.validators, result.validators) },
    stats: {
      requests: fetcher?.stats.requests ?? 0,
      bytes: fetcher?.stats.bytes ?? 0,
      durationMs: Date.now() - started,
    },
  };
}

/** Servers without ETag or Last-Modified leave nothing worth storing. */
function mergeValidators(
  previous: CrawlState['validators'],
  current: SourceResult['validators'] = {},
): CrawlState['validators'] {
  const merged = { ...previous };
  for (const [url, validators] of Object.entries(current)) {
    if (validators.etag || validators.lastModified) merged[url] = validators;
    else delete merged[url];
  }
  return merged;
}
