/** Typed crawl failures: the fetcher throws them, source modules record them in the outcome instead of crashing. */
export const FETCH_ERROR_KINDS = [
  'robots_disallowed',
  'ssrf_blocked',
  'timeout',
  'too_large',
  'too_many_redirects',
  'http_status',
  'network',
  'parse',
] as const;
export type FetchErrorKind = (typeof FETCH_ERROR_KINDS)[number];

export class CrawlError extends Error {
  override readonly name = 'CrawlError';
  constructor(
    readonly kind: FetchErrorKind,
    message: string,
    readonly url?: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown from the connect-time DNS lookup; found again in undici's error cause chain. */
export class SsrfBlockedError extends Error {
  override readonly name = 'SsrfBlockedError';
  readonly code = 'ERR_SSRF_BLOCKED';
}

export function findCause<T extends Error>(error: unknown, type: new (...args: never[]) => T): T | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof type) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
