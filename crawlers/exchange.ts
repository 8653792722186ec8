/**
 * Another job centre's exchange feed (`<their address>/austausch/stellen.jsonld`, built by `src/exchange/`): their
 * employer vacancies as schema.org JobPostings, page by page. The postings are read like any JSON-LD posting, and
 * what the exchange states beyond schema.org is taken as stated: the KldB code (their caseworkers' coding), working
 * times, contract and offer type. The listing is complete once a page without a next page was read.
 */

import { ContractType, KldbCode5, OfferType, WorkingTime } from '../src/domain/enums.ts';
import type { RawPosting } from '../src/domain/posting.ts';
import { EXCHANGE_TERMS } from '../src/exchange/job-posting.ts';
import { ExchangeConfig } from '../src/sources/source-config.ts';
import { fetchJson, isObject, type Json, objectsOf } from './ats/shared.ts';
import { asArray, clean, parseConfig, recordError, toRawPosting } from './common.ts';
import { CrawlError } from './http/errors.ts';
import { mapJobPosting } from './jsonld.ts';
import type { CrawlContext, CrawlErrorRecord, SourceResult } from './types.ts';

/** A KldB 2010 code the posting states as its occupational category. */
function kldbCode(node: Json): string | undefined {
  for (const category of asArray(node.occupationalCategory)) {
    if (!isObject(category)) continue;
    const code = clean(category.codeValue);
    const set = clean(category.inCodeSet) ?? '';
    if (code && /kldb/i.test(set) && KldbCode5.safeParse(code).success) return code;
  }
  return undefined;
}

/** Pure mapping of one JobPosting of the feed; undefined (with an error recorded) when it cannot be used. */
export function mapExchangePosting(node: Json, pageUrl: string, errors: CrawlErrorRecord[]): RawPosting | undefined {
  if (!clean(isObject(node.identifier) ? node.identifier.value : node.identifier)) {
    // Without the order number the posting cannot be recognised at the next crawl: it would come back as a new one.
    errors.push({ url: pageUrl, kind: 'parse', message: 'exchange posting without identifier skipped' });
    return undefined;
  }
  const mapped = mapJobPosting(node, pageUrl, pageUrl, errors);
  if (!mapped) return undefined;
  const times = WorkingTime.array().safeParse(node[EXCHANGE_TERMS.workingTimes]);
  const contract = ContractType.safeParse(node[EXCHANGE_TERMS.contractType]);
  const offer = OfferType.safeParse(node[EXCHANGE_TERMS.offerType]);
  return toRawPosting(
    {
      ...mapped,
      kldbCode: kldbCode(node),
      workingTimes: times.success && times.data.length > 0 ? times.data : mapped.workingTimes,
      contractType: contract.success ? contract.data : mapped.contractType,
      offerType: offer.success ? offer.data : mapped.offerType,
    },
    errors,
    pageUrl,
  );
}

/** One page: its postings and the next page's address, if any. */
export function mapExchangePage(
  body: unknown,
  pageUrl: string,
  errors: CrawlErrorRecord[],
): { postings: RawPosting[]; next?: string } {
  if (!isObject(body) || !Array.isArray(body.dataFeedElement)) {
    throw new CrawlError('parse', 'not an exchange feed (no dataFeedElement list)', pageUrl);
  }
  const postings = objectsOf(body.dataFeedElement)
    .map((node) => mapExchangePosting(node, pageUrl, errors))
    .filter((p) => p !== undefined);
  const next = clean(body[EXCHANGE_TERMS.nextPage]);
  return { postings, next };
}

function nextPageUrl(next: string, base: string): URL {
  try {
    return new URL(next, base);
  } catch {
    throw new CrawlError('parse', 'next page is no URL', base);
  }
}

export async function crawlExchange(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(ExchangeConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const byId = new Map<string, RawPosting>();
  const seen = new Set<string>();
  let url: string | undefined = context.spec.url;
  for (let page = 0; url && page < config.maxPages; page++) {
    seen.add(url);
    try {
      const answer = await fetchJson(context, url);
      const { postings, next } = mapExchangePage(answer.body, answer.url, context.errors);
      for (const posting of postings) if (!byId.has(posting.externalId)) byId.set(posting.externalId, posting);
      if (next !== undefined) {
        // The next page must be the same feed at the same origin: a feed cannot send the crawler elsewhere.
        const target = nextPageUrl(next, answer.url);
        if (target.origin !== new URL(answer.url).origin || seen.has(target.href)) {
          throw new CrawlError('parse', `next page ${target.href.slice(0, 200)} refused (other origin or loop)`, url);
        }
        url = target.href;
      } else {
        return { postings: [...byId.values()], listingExhausted: true };
      }
    } catch (error) {
      recordError(context.errors, error, url);
      return { postings: [...byId.values()], listingExhausted: false };
    }
  }
  context.errors.push({
    url: context.spec.url,
    kind: 'incomplete',
    message: `more than ${config.maxPages} pages: feed not read to the end`,
  });
  return { postings: [...byId.values()], listingExhausted: false };
}
