/** Helpers every source module shares: recording errors, validating postings, turning HTML into text. */
import * as cheerio from 'cheerio';
import type { z } from 'zod';
import { type PostingLocation, RawPosting, type RawPostingInput } from '../src/domain/posting.ts';
import { plainText } from '../src/ingest/text.ts';
import { CrawlError } from './http/errors.ts';
import type { CrawlContext, CrawlErrorRecord } from './types.ts';

export function recordError(errors: CrawlErrorRecord[], error: unknown, url?: string): void {
  if (error instanceof CrawlError) {
    errors.push({ url: error.url ?? url, kind: error.kind, message: error.message });
  } else {
    errors.push({ url, kind: 'internal', message: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * A well-formed XML document the parser still refuses (an external entity, entity expansion beyond its limits) is a
 * hostile or broken answer of the source, recorded as `parse` like any unreadable answer, not as an internal error.
 */
export function parseXmlOrRefuse<T>(parse: () => T, url: string, what: string): T {
  try {
    return parse();
  } catch (error) {
    throw new CrawlError('parse', `${what} refused by the XML parser: ${(error as Error).message}`, url);
  }
}

const isHttpUrl = (value: string | undefined) => value !== undefined && /^https?:\/\//i.test(value);

/** Place names are shown as the source gives them (ingest cleans only title, employer and description). */
function cleanLocation(location: PostingLocation): PostingLocation {
  const line = (value: string | undefined, max: number) => (value === undefined ? undefined : plainText(value, max));
  return compact({
    ...location,
    street: line(location.street, 200),
    plz: line(location.plz, 10),
    city: line(location.city, 200),
    region: line(location.region, 200),
    country: line(location.country, 100),
  });
}

/**
 * Validates a mapped posting; a posting that does not fit the schema is dropped and recorded, never passed on.
 * Crawled pages are written by strangers: links other than http(s) (`javascript:`, `data:`) are dropped, and the
 * short texts that ingest stores as they are (places, employment types, occupation hints) lose any markup here.
 */
export function toRawPosting(input: RawPostingInput, errors: CrawlErrorRecord[], url?: string): RawPosting | undefined {
  const parsed = RawPosting.safeParse({
    ...input,
    url: isHttpUrl(input.url) ? input.url : undefined,
    originUrl: isHttpUrl(input.originUrl) ? input.originUrl : undefined,
    locations: input.locations?.map(cleanLocation),
    employmentTypes: input.employmentTypes?.map((t) => plainText(t, 100)).filter(Boolean),
    occupationHints: input.occupationHints?.map((h) => plainText(h, 300)).filter(Boolean),
  });
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  errors.push({
    url: url ?? input.url,
    kind: 'parse',
    message: `posting ${String(input.externalId ?? '?').slice(0, 100)} rejected: ${detail}`.slice(0, 1000),
  });
  return undefined;
}

/** Parses the source's config; a bad config is recorded and yields undefined so the run ends cleanly. */
export function parseConfig<T extends z.ZodType>(schema: T, context: CrawlContext): z.infer<T> | undefined {
  const parsed = schema.safeParse(context.spec.config ?? {});
  if (parsed.success) return parsed.data;
  context.errors.push({ kind: 'config', message: `invalid config for ${context.spec.id}: ${parsed.error.message}` });
  return undefined;
}

/** Paragraph-like elements get a blank line around them, line-like ones a line break after them. */
const PARAGRAPH_TAGS = 'p,div,ul,ol,h1,h2,h3,h4,h5,h6,section,article,header,footer,blockquote,pre,table,dl';
const LINE_TAGS = 'br,li,tr,dt,dd';

/**
 * Plain text from an HTML fragment, keeping paragraph breaks. Some feeds entity-encode their HTML twice, so text
 * that still looks like markup after one pass is converted once more.
 */
export function htmlToText(html: string | undefined): string {
  if (!html) return '';
  let text = fragmentText(html);
  if (/<\/?(p|br|div|span|ul|ol|li|strong|b|i|em|h[1-6]|a|table|tr|td)\b[^>]*>/i.test(text)) text = fragmentText(text);
  return text;
}

function fragmentText(html: string): string {
  const $ = cheerio.load(html, null, false);
  $('script,style,noscript,template').remove();
  $(PARAGRAPH_TAGS).each((_, element) => {
    $(element).before('\n\n').after('\n\n');
  });
  $(LINE_TAGS).each((_, element) => {
    $(element).after('\n');
  });
  return $.root()
    .text()
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function clean(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.replace(/\s+/g, ' ').trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** Drops undefined fields so postings stay small and compare cleanly. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** Absolute http(s) URL or undefined. */
export function absoluteUrl(value: unknown, base: string): string | undefined {
  const text = clean(value);
  if (!text) return undefined;
  try {
    const url = new URL(text, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** An ISO timestamp for dates a feed writes in RFC 822 or similar; the source's text when unreadable. */
export function toIsoDate(value: unknown): string | undefined {
  const text = clean(value);
  if (!text) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return text.slice(0, 40);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? text.slice(0, 40) : new Date(parsed).toISOString();
}
