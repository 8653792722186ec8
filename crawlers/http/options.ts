import { z } from 'zod';
import { parsePrivateOrigin } from './ssrf.ts';

/** Limits and identity of the polite fetcher; every field but the contact URL has a conservative default. */
export const HttpOptions = z.object({
  /** Published in the User-Agent so site operators can reach the job centre. */
  contactUrl: z.string().url(),
  /**
   * Private origins the crawler may reach (CRAWL_ALLOWED_PRIVATE_HOSTS): `host:port`, `[v6]:port`,
   * `http(s)://host:port`, or a bare host for ports 80 and 443 only.
   */
  allowedPrivateHosts: z
    .array(z.string().refine((entry) => parsePrivateOrigin(entry) !== undefined, 'expected host:port or an origin'))
    .default([]),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** Deadline for one response from request to last body byte: cuts servers that never finish. */
  responseTimeoutMs: z.number().int().positive().default(30_000),
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  maxRedirects: z.number().int().nonnegative().default(5),
  maxRetries: z.number().int().nonnegative().default(3),
  retryBaseDelayMs: z.number().int().nonnegative().default(1_000),
  /** Upper bound for backoff and Retry-After; a server asking for a longer pause is left alone this crawl. */
  maxRetryDelayMs: z.number().int().nonnegative().default(60_000),
  /** Minimum spacing of requests to one host across all workers. */
  minHostIntervalMs: z.number().int().nonnegative().default(2_000),
  /** robots.txt Crawl-delay is honoured up to this bound. */
  maxCrawlDelayMs: z.number().int().nonnegative().default(30_000),
});
export type HttpOptions = z.infer<typeof HttpOptions>;
export type HttpOptionsInput = z.input<typeof HttpOptions>;

export function userAgent(options: Pick<HttpOptions, 'contactUrl'>): string {
  return `Jobbruecke/0.1 (+${options.contactUrl})`;
}

/** The product token robots.txt groups are matched against. */
export const ROBOTS_AGENT = 'Jobbruecke';
