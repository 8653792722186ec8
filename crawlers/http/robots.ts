/** robots.txt rules per RFC 9309, reduced to what the fetcher asks: may this URL be fetched, and how slowly. */
import robotsParserModule from 'robots-parser';
import { ROBOTS_AGENT } from './options.ts';

/**
 * The package is CommonJS (module.exports = fn) but its typings declare an ES default export, so under NodeNext
 * TypeScript sees the namespace; at runtime the default import is the function itself.
 */
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

export interface RobotsRules {
  isAllowed(url: string): boolean;
  /** Crawl-delay of the group that applies to us, in ms. */
  crawlDelayMs?: number;
}

export const ALLOW_ALL: RobotsRules = { isAllowed: () => true };
export const DISALLOW_ALL: RobotsRules = { isAllowed: () => false };

export function parseRobots(robotsUrl: string, text: string): RobotsRules {
  const robots = robotsParser(robotsUrl, text);
  const delay = robots.getCrawlDelay(ROBOTS_AGENT);
  return {
    // undefined means the URL is on another origin; the fetcher never asks that, so it is not treated as a refusal
    isAllowed: (url) => robots.isAllowed(url, ROBOTS_AGENT) !== false,
    crawlDelayMs: delay === undefined ? undefined : delay * 1000,
  };
}

/**
 * RFC 9309 2.3.1.3/2.3.1.4: a client error means no rules apply (allow all); a server error or an unreachable host
 * means the site may not want us right now (disallow all). 429 is a request to slow down, so it counts with the
 * server errors.
 */
export function rulesForFailedStatus(status: number): RobotsRules {
  return status >= 400 && status < 500 && status !== 429 ? ALLOW_ALL : DISALLOW_ALL;
}

export function robotsUrlFor(url: URL): string {
  return `${url.origin}/robots.txt`;
}
