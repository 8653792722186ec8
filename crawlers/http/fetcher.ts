/**
 * The shared polite fetcher. One instance per crawl run: it caches robots.txt per origin for that run and counts
 * requests and bytes for the outcome. Every request passes the SSRF guard, robots.txt, the shared per-host rate
 * limiter, timeouts and the body size limit; failures are thrown as CrawlError.
 */
import { Agent, request } from 'undici';
import { decodeBody } from './charset.ts';
import { CrawlError, findCause, SsrfBlockedError } from './errors.ts';
import { type HttpOptions, type HttpOptionsInput, HttpOptions as HttpOptionsSchema, userAgent } from './options.ts';
import { type HostRateLimiter, sleep } from './rate-limiter.ts';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from './retry.ts';
import { DISALLOW_ALL, parseRobots, type RobotsRules, robotsUrlFor, rulesForFailedStatus } from './robots.ts';
import { assertUrlAllowed, createGuardedConnector } from './ssrf.ts';

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface FetchOptions {
  method?: string;
  body?: Buffer | string;
  headers?: Record<string, string>;
  /** Sent as If-None-Match / If-Modified-Since; a 304 answer yields `notModified`. */
  validators?: Validators;
  /** Overrides HttpOptions.maxBodyBytes for this request. */
  maxBodyBytes?: number;
}

export interface FetchResponse {
  /** URL after redirects. */
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  notModified: boolean;
  /** Validators to store for the next conditional GET of the requested URL. */
  validators: Validators;
  /** Body decoded by the declared or sniffed charset. */
  text(): string;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ROBOTS_MAX_BYTES = 512 * 1024;

export class Fetcher {
  readonly options: HttpOptions;
  readonly stats = { requests: 0, bytes: 0 };
  private readonly agent: Agent;
  private readonly robots = new Map<string, Promise<RobotsRules>>();
  private readonly userAgent: string;

  constructor(
    options: HttpOptionsInput,
    private readonly rateLimiter: HostRateLimiter,
  ) {
    this.options = HttpOptionsSchema.parse(options);
    this.userAgent = userAgent(this.options);
    this.agent = new Agent({
      // The guard runs inside the connect call, per host and port, so the address checked is the one connected to.
      connect: createGuardedConnector(this.options.allowedPrivateHosts, { timeout: this.options.connectTimeoutMs }),
      headersTimeout: this.options.responseTimeoutMs,
      bodyTimeout: this.options.responseTimeoutMs,
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  fetch(url: string, options: FetchOptions = {}): Promise<FetchResponse> {
    return this.fetchFollowing(url, options, true);
  }

  private async fetchFollowing(url: string, options: FetchOptions, checkRobots: boolean): Promise<FetchResponse> {
    let current = parseUrl(url);
    let method = options.method ?? 'GET';
    let body = options.body;
    let headers = options.headers;
    const seen = new Set<string>();
    for (let hop = 0; ; hop++) {
      seen.add(current.href);
      assertUrlAllowed(current, this.options.allowedPrivateHosts);
      let intervalMs = this.options.minHostIntervalMs;
      if (checkRobots) {
        const rules = await this.rulesFor(current);
        if (!rules.isAllowed(current.href)) {
          throw new CrawlError('robots_disallowed', 'robots.txt disallows this URL', current.href);
        }
        intervalMs = Math.max(intervalMs, Math.min(rules.crawlDelayMs ?? 0, this.options.maxCrawlDelayMs));
      }
      const response = await this.requestWithRetries(current, { ...options, method, body, headers }, intervalMs);
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(response.status) && location) {
        const next = parseUrl(location, current);
        if (seen.has(next.href)) throw new CrawlError('too_many_redirects', `redirect loop at ${next.href}`, url);
        if (hop >= this.options.maxRedirects) {
          throw new CrawlError('too_many_redirects', `more than ${this.options.maxRedirects} redirects`, url);
        }
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        // Credentials a source sends (an API key header) are meant for its own host, not for wherever it redirects.
        if (next.origin !== current.origin && headers) {
          headers = headers.accept ? { accept: headers.accept } : undefined;
        }
        current = next;
        continue;
      }
      const notModified = response.status === 304;
      if (!notModified && (response.status < 200 || response.status > 299)) {
        throw new CrawlError('http_status', `HTTP ${response.status}`, current.href, response.status);
      }
      return toFetchResponse(current.href, response, notModified, options.validators);
    }
  }

  private rulesFor(url: URL): Promise<RobotsRules> {
    const key = url.origin;
    let rules = this.robots.get(key);
    if (!rules) {
      rules = this.loadRobots(robotsUrlFor(url));
      this.robots.set(key, rules);
    }
    return rules;
  }

  private async loadRobots(robotsUrl: string): Promise<RobotsRules> {
    try {
      const response = await this.fetchFollowing(robotsUrl, { maxBodyBytes: ROBOTS_MAX_BYTES }, false);
      return parseRobots(robotsUrl, response.text());
    } catch (error) {
      if (!(error instanceof CrawlError)) throw error;
      // The page itself would be refused for the same reason; report that rather than a robots verdict.
      if (error.kind === 'ssrf_blocked') throw error;
      if (error.kind === 'http_status' && error.status !== undefined) return rulesForFailedStatus(error.status);
      return DISALLOW_ALL;
    }
  }

  private async requestWithRetries(url: URL, options: FetchOptions, intervalMs: number): Promise<RawResponse> {
    const idempotent = options.method === undefined || options.method === 'GET' || options.method === 'HEAD';
    for (let attempt = 0; ; attempt++) {
      const canRetry = idempotent && attempt < this.options.maxRetries;
      await this.rateLimiter.acquire(url.hostname, intervalMs);
      let response: RawResponse;
      try {
        response = await this.requestOnce(url, options);
      } catch (error) {
        const crawlError = toCrawlError(error, url.href);
        // Timeouts are not retried: a server that hung once tends to hang again, and each try costs the full deadline.
        if (crawlError.kind !== 'network' || !canRetry) throw crawlError;
        await sleep(this.backoff(attempt));
        continue;
      }
      if (!isRetryableStatus(response.status)) return response;
      const retryAfter = parseRetryAfter(response.headers['retry-after']);
      if (!canRetry || (retryAfter !== undefined && retryAfter > this.options.maxRetryDelayMs)) {
        throw new CrawlError(
          'http_status',
          `HTTP ${response.status} after ${attempt + 1} attempt(s)`,
          url.href,
          response.status,
        );
      }
      await sleep(retryAfter ?? this.backoff(attempt));
    }
  }

  private backoff(attempt: number): number {
    return backoffDelay(attempt, this.options.retryBaseDelayMs, this.options.maxRetryDelayMs);
  }

  private async requestOnce(url: URL, options: FetchOptions): Promise<RawResponse> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.responseTimeoutMs);
    this.stats.requests++;
    try {
      const response = await request(url, {
        dispatcher: this.agent,
        method: (options.method ?? 'GET') as 'GET',
        body: options.body,
        headers: this.requestHeaders(options),
        signal: deadline.signal,
      });
      const headers = flattenHeaders(response.headers);
      if (response.statusCode < 200 || response.statusCode > 299) {
        // Error and redirect bodies are not needed; destroying frees the connection without reading them.
        discard(response.body);
        return { status: response.statusCode, headers, body: Buffer.alloc(0) };
      }
      const limit = options.maxBodyBytes ?? this.options.maxBodyBytes;
      const declared = Number(headers['content-length']);
      if (declared > limit) {
        discard(response.body);
        throw new CrawlError('too_large', `Content-Length ${declared} exceeds ${limit} bytes`, url.href);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        this.stats.bytes += (chunk as Buffer).length;
        if (size > limit) {
          discard(response.body);
          throw new CrawlError('too_large', `body exceeds ${limit} bytes`, url.href);
        }
        chunks.push(chunk as Buffer);
      }
      return { status: response.statusCode, headers, body: Buffer.concat(chunks) };
    } catch (error) {
      if (deadline.signal.aborted && !(error instanceof CrawlError)) {
        throw new CrawlError('timeout', `no complete response within ${this.options.responseTimeoutMs} ms`, url.href);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private requestHeaders(options: FetchOptions): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: '*/*', ...options.headers };
    if (options.validators?.etag) headers['if-none-match'] = options.validators.etag;
    if (options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
    return headers;
  }
}

/** Drops a body unread; undici reports the abort as a stream error, which is expected here. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => {});
  body.destroy();
}

function parseUrl(value: string, base?: URL): URL {
  try {
    return new URL(value, base);
  } catch {
    throw new CrawlError('parse', `invalid URL ${JSON.stringify(value.slice(0, 200))}`, base?.href);
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function toFetchResponse(url: string, raw: RawResponse, notModified: boolean, sent?: Validators): FetchResponse {
  const etag = raw.headers.etag ?? (notModified ? sent?.etag : undefined);
  const lastModified = raw.headers['last-modified'] ?? (notModified ? sent?.lastModified : undefined);
  return {
    url,
    status: raw.status,
    headers: raw.headers,
    body: raw.body,
    notModified,
    validators: { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) },
    text: () => decodeBody(raw.body, raw.headers['content-type']),
  };
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

function toCrawlError(error: unknown, url: string): CrawlError {
  if (error instanceof CrawlError) return error;
  const ssrf = findCause(error, SsrfBlockedError);
  if (ssrf) return new CrawlError('ssrf_blocked', ssrf.message, url, undefined, { cause: error });
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code && TIMEOUT_CODES.has(code)) return new CrawlError('timeout', message, url, undefined, { cause: error });
  return new CrawlError('network', code ? `${code}: ${message}` : message, url, undefined, { cause: error });
}
