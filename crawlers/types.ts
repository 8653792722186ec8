/** The contract between crawlers and whoever schedules them (queue processors) and stores their results. */

import type { SourceType } from '../src/domain/enums.ts';
import type { RawPosting } from '../src/domain/posting.ts';
import type { BrowserProvider } from './browser-provider.ts';
import type { FetchErrorKind } from './http/errors.ts';
import type { Fetcher, Validators } from './http/fetcher.ts';
import type { HttpOptionsInput } from './http/options.ts';
import type { HostRateLimiter } from './http/rate-limiter.ts';

export interface SourceSpec {
  id: string;
  type: SourceType;
  url: string;
  params?: Record<string, string>;
  /** Type-specific; each crawler parses it with its own zod schema. */
  config?: unknown;
}

export interface CrawlState {
  /** Conditional-GET validators per requested URL, from the previous run. */
  validators: Record<string, Validators>;
  cursor?: string;
}

/**
 * Fetch failures, plus 'config' (bad source config), 'incomplete' (listing cut short), 'invalid_posting' (a posting
 * set aside because the database cannot store it) and 'internal' (a bug).
 */
export type CrawlErrorKind = FetchErrorKind | 'config' | 'incomplete' | 'invalid_posting' | 'internal';

export interface CrawlErrorRecord {
  url?: string;
  kind: CrawlErrorKind;
  message: string;
}

export interface CrawlOutcome {
  postings: RawPosting[];
  /** The whole listing was seen without errors: postings of this source missing here may be closed. */
  complete: boolean;
  /** The listing answered 304: keep what is stored, close nothing. */
  notModified: boolean;
  errors: CrawlErrorRecord[];
  state: CrawlState;
  stats: { requests: number; bytes: number; durationMs: number };
}

export interface CrawlDeps {
  http: HttpOptionsInput;
  rateLimiter: HostRateLimiter;
  /** Only the browser crawler needs it; defaults to the process-wide shared Chromium. */
  browser?: BrowserProvider;
}

/** What one source module gets for a run; the fetcher and error list are owned by crawlSource. */
export interface CrawlContext {
  spec: SourceSpec;
  state: CrawlState;
  fetcher: Fetcher;
  deps: CrawlDeps;
  errors: CrawlErrorRecord[];
}

/** A source module's result; crawlSource adds errors, state and stats. */
export interface SourceResult {
  postings: RawPosting[];
  /** The module reached the end of the listing (errors recorded in the context still make the outcome incomplete). */
  listingExhausted: boolean;
  notModified?: boolean;
  validators?: Record<string, Validators>;
}

export type SourceCrawler = (context: CrawlContext) => Promise<SourceResult>;
