/**
 * The exchange feed for other job centres (issue 11, point 8): `GET /austausch/stellen.jsonld` (schema.org JSON-LD)
 * and `GET /austausch/stellen.atom` (Atom), public, without login. What they contain is decided in `src/exchange/`;
 * this edge adds paging, caching and a rate limit.
 *
 * - Paging by keyset: `?nach=<id of the last vacancy>` and `?anzahl=` (1–500, 200 by default); the next page's
 *   address is in the body and in a `Link: <…>; rel="next"` header.
 * - Shared caches may keep an answer for five minutes; `ETag` (of the body) and `Last-Modified` (the latest change
 *   to any employer vacancy, withdrawals included) let readers ask again cheaply and get 304.
 */
import { createHash } from 'node:crypto';
import type { Context, Env, Hono } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { z } from 'zod';
import { type Config, DEFAULT_PUBLISHER_NAME } from '../src/config.ts';
import type { Ctx } from '../src/context.ts';
import { exchangeAtom } from '../src/exchange/atom.ts';
import { MAX_PAGE_SIZE, readExchangePage } from '../src/exchange/feed.ts';
import { EXCHANGE_PATHS, type ExchangePublisher, exchangeJsonLd } from '../src/exchange/job-posting.ts';
import { problem } from './errors.ts';
import { clientAddress } from './middleware/client-address.ts';
import { type AnswerDescription, describe, type RouteDescription } from './openapi.ts';
import { query, queryInteger } from './validate.ts';

/** The feed's settings as the configuration has them (`Config['site']`: PUBLIC_URL, PUBLISHER_NAME). */
export interface ExchangeFeedDeps extends Partial<Config['site']> {
  ctx: Ctx;
  /** Requests per client and minute. @defaultValue 60 */
  requestsPerMinute?: number;
}

/** Long enough to spare the database a reader's retries, short enough that a withdrawal leaves the feed soon. */
const CACHE_SECONDS = 300;

const FeedParams = z
  .object({
    nach: z.uuid('muss die Id der letzten Stelle der vorigen Seite sein').optional(),
    anzahl: queryInteger.pipe(z.number().min(1).max(MAX_PAGE_SIZE)).optional(),
  })
  .strict();

/**
 * The JSON-LD page as the document describes it: the feed's own fields and each posting's identity, open to the
 * further schema.org and `jb:` terms src/exchange/job-posting.ts writes (readers ignore what they do not know).
 */
const JobPostingJson = z.looseObject({
  '@type': z.literal('JobPosting'),
  '@id': z.string(),
  url: z.string(),
  title: z.string(),
  description: z.string(),
  datePosted: z.iso.datetime(),
  validThrough: z.iso.datetime(),
  totalJobOpenings: z.number().int(),
  directApply: z.literal(false),
});
const DataFeedJson = z.looseObject({
  '@context': z.array(z.unknown()),
  '@type': z.literal('DataFeed'),
  '@id': z.string(),
  name: z.string(),
  provider: z.looseObject({ '@type': z.string(), name: z.string(), url: z.string() }),
  dateModified: z.iso.datetime(),
  dataFeedElement: z.array(JobPostingJson),
  'jb:nextPage': z.string().optional().describe('The next page, as in the Link header; absent on the last page'),
});

type Format = {
  path: string;
  contentType: string;
  render: typeof renderJsonLd;
  operationId: string;
  summary: string;
  body: AnswerDescription['body'];
};

function renderJsonLd(...args: Parameters<typeof exchangeJsonLd>): string {
  return JSON.stringify(exchangeJsonLd(...args));
}

const FORMATS: Format[] = [
  {
    path: EXCHANGE_PATHS.jsonLd,
    contentType: 'application/ld+json; charset=utf-8',
    render: renderJsonLd,
    operationId: 'getExchangeFeedJsonLd',
    summary: 'Open employer vacancies as a schema.org DataFeed of JobPostings (JSON-LD)',
    body: DataFeedJson,
  },
  {
    path: EXCHANGE_PATHS.atom,
    contentType: 'application/atom+xml; charset=utf-8',
    render: exchangeAtom,
    operationId: 'getExchangeFeedAtom',
    summary: 'Open employer vacancies as an Atom feed',
    body: z.string().describe('An Atom 1.0 feed (RFC 4287)'),
  },
];

const header = (description: string) => ({ description, schema: { type: 'string' as const } });
const CACHE_HEADERS = {
  'Cache-Control': header(`public, max-age=${CACHE_SECONDS}`),
  ETag: header("The page's version, for If-None-Match"),
  'Last-Modified': header('The latest change to any employer vacancy, withdrawals included'),
};

/** The feed's description in the API document: public, outside the audiences, so it names tag and security itself. */
function describeFormat(format: Format): RouteDescription {
  const mediaType = format.contentType.split(';')[0]!;
  return {
    operationId: format.operationId,
    summary: format.summary,
    description:
      'Public, for other job centres: no personal data of the orders. Paged by `nach` (the id of the previous ' +
      "page's last vacancy); cached for five minutes; a reader's copy is confirmed with 304.",
    tags: ['Exchange'],
    security: [],
    parameters: [
      { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } },
      { name: 'If-Modified-Since', in: 'header', required: false, schema: { type: 'string' } },
    ],
    responses: {
      200: {
        description: 'One page of the feed',
        body: format.body,
        mediaType,
        headers: { ...CACHE_HEADERS, Link: header('`<next page>; rel="next"`, absent on the last page') },
      },
      304: { description: "The reader's copy is current", headers: CACHE_HEADERS },
    },
    // More than `requestsPerMinute` from one client.
    problems: [429],
  };
}

/**
 * The feed's base: the configured public origin, else the request's own. The latter is right only where readers reach
 * this process directly; behind a TLS-terminating proxy it is the internal address, which is why PUBLIC_URL exists.
 */
function publisherFor(c: Context, deps: ExchangeFeedDeps): ExchangePublisher {
  const base = deps.publicUrl ?? new URL(c.req.url).origin;
  return { baseUrl: base.replace(/\/+$/, ''), name: deps.publisherName ?? DEFAULT_PUBLISHER_NAME };
}

/** `If-None-Match` decides when sent (RFC 9110, 13.1.3); `If-Modified-Since` only without it. */
function notModified(c: Context, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === etag || tag === '*');
  }
  const since = Date.parse(c.req.header('if-modified-since') ?? '');
  // HTTP dates have whole seconds.
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/** Mounts both formats of the feed on `app`, at the root (not below /api/v1): the addresses are part of the exchange. */
export function mountExchangeFeed<E extends Env>(app: Hono<E>, deps: ExchangeFeedDeps): void {
  const limit = rateLimiter<E>({
    windowMs: 60_000,
    limit: deps.requestsPerMinute ?? 60,
    standardHeaders: 'draft-7',
    keyGenerator: (c) => `exchange:${clientAddress(c) ?? 'local'}`,
    handler: (c) =>
      problem(c, 429, {
        title: 'Zu viele Anfragen',
        code: 'limit_exceeded',
        detail:
          'Der Austausch-Feed wird höchstens einmal pro Minute und Seite benötigt. Bitte warten Sie einen Moment.',
      }),
  });
  for (const format of FORMATS) {
    app.get(format.path, describe(describeFormat(format)), limit, query(FeedParams), async (c) => {
      const params = c.req.valid('query');
      const publisher = publisherFor(c, deps);
      const page = await readExchangePage(deps.ctx, { after: params.nach, limit: params.anzahl });
      let next: string | undefined;
      if (page.nextAfter) {
        const url = new URL(`${publisher.baseUrl}${format.path}`);
        url.searchParams.set('nach', page.nextAfter);
        if (params.anzahl !== undefined) url.searchParams.set('anzahl', String(params.anzahl));
        next = url.href;
      }
      const body = format.render(page, publisher, next);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
      c.header('Cache-Control', `public, max-age=${CACHE_SECONDS}`);
      c.header('ETag', etag);
      c.header('Last-Modified', page.lastModified.toUTCString());
      c.header('Vary', 'Accept-Encoding');
      if (next) c.header('Link', `<${next}>; rel="next"`);
      if (notModified(c, etag, page.lastModified)) return c.body(null, 304);
      return c.body(body, 200, { 'Content-Type': format.contentType });
    });
  }
}
