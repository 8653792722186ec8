/**
 * Employers' career pages carrying schema.org JobPosting as JSON-LD. The markup is written by hand or by a dozen
 * CMS plugins, so the extraction accepts every shape schema.org allows and skips, with a recorded error, what it
 * cannot read, using the rest of the page.
 */
import * as cheerio from 'cheerio';
import { z } from 'zod';
import type { PostingLocation, RawPosting, Salary } from '../src/domain/posting.ts';
import { periodStatedNearPay, periodWord, salaryFromText, salaryOf } from '../src/ingest/salary.ts';
import {
  absoluteUrl,
  asArray,
  clean,
  compact,
  htmlToText,
  parseConfig,
  recordError,
  toRawPosting,
  unique,
} from './common.ts';
import { walkSitemap } from './sitemap.ts';
import type { CrawlContext, CrawlErrorRecord, SourceResult } from './types.ts';

export const JsonLdConfig = z
  .object({
    /** Career pages to read; the source URL when neither pages nor sitemap is given. */
    pages: z.array(z.string().url()).max(1000).optional(),
    /** A sitemap or sitemap index listing the pages. */
    sitemap: z.string().url().optional(),
    /** Regular expression a sitemap URL must match, e.g. "/jobs/". */
    include: z.string().optional(),
    maxUrls: z.number().int().min(1).max(5000).default(500),
  })
  .refine((config) => !(config.pages && config.sitemap), 'give pages or sitemap, not both');

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function hasType(node: JsonObject, type: string): boolean {
  return asArray(node['@type']).some(
    (t) => typeof t === 'string' && t.replace(/^(https?:\/\/schema\.org\/|schema:)/, '') === type,
  );
}

/** Every node with an `@id` anywhere in a JSON-LD value, by id: the targets of references in a page's graph. */
export function nodesById(value: unknown, into = new Map<string, JsonObject>(), depth = 0): Map<string, JsonObject> {
  if (depth > 8) return into;
  if (Array.isArray(value)) {
    for (const entry of value) nodesById(entry, into, depth + 1);
    return into;
  }
  if (!isObject(value)) return into;
  const id = value['@id'];
  // A bare reference ({"@id": …}) is not a definition; the first full node wins.
  if (typeof id === 'string' && Object.keys(value).length > 1 && !into.has(id)) into.set(id, value);
  for (const entry of Object.values(value)) nodesById(entry, into, depth + 1);
  return into;
}

/**
 * A value with its `@id` references replaced by the nodes they name (WordPress SEO plugins write
 * `"hiringOrganization": {"@id": "https://…/#organization"}` and put the organisation elsewhere in `@graph`).
 * Depth-limited, so a reference cycle ends.
 */
function resolveRefs(value: unknown, byId: ReadonlyMap<string, JsonObject>, depth = 0): unknown {
  if (depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, byId, depth + 1));
  if (!isObject(value)) return value;
  const id = value['@id'];
  const target = typeof id === 'string' && Object.keys(value).length === 1 ? byId.get(id) : undefined;
  const node = target ?? value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(node)) out[key] = key === '@id' ? v : resolveRefs(v, byId, depth + 1);
  return out;
}

/** JobPosting nodes anywhere in a JSON-LD value: top level, arrays, @graph, or nested (WebPage.mainEntity). */
export function findJobPostings(value: unknown, depth = 0): JsonObject[] {
  if (depth > 8) return [];
  if (Array.isArray(value)) return value.flatMap((entry) => findJobPostings(entry, depth + 1));
  if (!isObject(value)) return [];
  if (hasType(value, 'JobPosting')) return [value];
  return Object.values(value).flatMap((entry) => findJobPostings(entry, depth + 1));
}

const text = (value: unknown): string | undefined => {
  if (isObject(value)) return clean(value.name ?? value['@value'] ?? value.value);
  return clean(value);
};

const number = (value: unknown): number | undefined => {
  const parsed = typeof value === 'string' ? Number(value.replace(',', '.')) : value;
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
};

function location(place: unknown): PostingLocation | undefined {
  if (!isObject(place)) return text(place) ? { city: text(place) } : undefined;
  const address = isObject(place.address) ? place.address : { addressLocality: place.address };
  const geo = isObject(place.geo) ? place.geo : {};
  const lat = number(geo.latitude);
  const lon = number(geo.longitude);
  const result: PostingLocation = compact({
    street: text(address.streetAddress),
    plz: text(address.postalCode),
    city: text(address.addressLocality),
    region: text(address.addressRegion),
    country: text(address.addressCountry),
    lat: lat !== undefined && lat <= 90 ? lat : undefined,
    lon: lon !== undefined && lon <= 180 ? lon : undefined,
  });
  return Object.keys(result).length > 0 ? result : undefined;
}

/**
 * `baseSalary` in every shape pages write: a MonetaryAmount with a QuantitativeValue (min/max or one value), a
 * MonetaryAmount whose value is a number or text, a bare number, or text ("3.000 – 3.500 € monatlich"). The period
 * is the `unitText`, else what the text or the page says about pay (`pageText`); a figure without a stated period
 * is left out. WEEK is converted to a year; DAY has no fixed conversion and is dropped.
 */
function salary(baseSalary: unknown, node: JsonObject, pageText: string): Salary | undefined {
  const entry = asArray(baseSalary)[0];
  if (entry === undefined || entry === null) return undefined;
  const amount: JsonObject = isObject(entry) ? entry : { value: entry };
  const value: JsonObject = isObject(amount.value) ? amount.value : { value: amount.value, unitText: amount.unitText };
  const currency = clean(amount.currency ?? node.salaryCurrency);
  const unitText = clean(value.unitText ?? amount.unitText);
  if (unitText?.toUpperCase() === 'DAY') return undefined;
  const week = unitText?.toUpperCase() === 'WEEK';
  const stated = week ? 'year' : unitText ? periodWord(unitText) : undefined;
  const factor = week ? 52 : 1;
  const scale = (n: number | undefined) => (n === undefined ? undefined : n * factor);
  if (typeof value.value === 'string' && number(value.value) === undefined) {
    return salaryFromText(value.value, { period: stated ?? periodStatedNearPay(pageText), currency });
  }
  return salaryOf({
    min: scale(number(value.minValue) ?? number(value.value)),
    max: scale(number(value.maxValue) ?? number(value.value)),
    currency,
    period: stated ?? periodStatedNearPay(pageText),
  });
}

function identifier(value: unknown): string | undefined {
  const first = asArray(value)[0];
  return isObject(first) ? clean(first.value ?? first['@value'] ?? first.name) : clean(first);
}

/**
 * Pure mapping of one JobPosting node. `fallbackId` identifies postings that carry neither identifier nor url
 * (page URL plus position on the page).
 */
export function mapJobPosting(
  node: JsonObject,
  pageUrl: string,
  fallbackId: string,
  errors: CrawlErrorRecord[],
): RawPosting | undefined {
  const title = text(node.title) ?? text(node.name);
  if (!title) {
    errors.push({ url: pageUrl, kind: 'parse', message: 'JobPosting without title skipped' });
    return undefined;
  }
  const url = absoluteUrl(node.url, pageUrl) ?? pageUrl;
  const remote = asArray(node.jobLocationType).some((t) => /TELECOMMUTE$/i.test(String(t)));
  const description = htmlToText(typeof node.description === 'string' ? node.description : undefined);
  return toRawPosting(
    {
      externalId: identifier(node.identifier) ?? absoluteUrl(node.url, pageUrl) ?? fallbackId,
      url,
      title,
      description,
      employerName: text(node.hiringOrganization),
      locations: asArray(node.jobLocation)
        .map(location)
        .filter((l) => l !== undefined)
        .slice(0, 50),
      employmentTypes: unique(
        asArray(node.employmentType)
          .flatMap((t) => String(t).split(','))
          .map(clean)
          .filter((t) => t !== undefined),
      ).slice(0, 20),
      remote: remote || undefined,
      salary: salary(node.baseSalary, node, description),
      occupationHints: asArray(node.occupationalCategory)
        .map(text)
        .filter((t) => t !== undefined)
        .slice(0, 20),
      datePosted: clean(node.datePosted)?.slice(0, 40),
      validThrough: clean(node.validThrough)?.slice(0, 40),
    },
    errors,
    pageUrl,
  );
}

/** JSON-LD sometimes carries raw line breaks inside strings, which JSON.parse rejects but browsers' authors ignore. */
function parseJsonLd(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    return JSON.parse(source.replace(/[\n\r\t]+/g, ' '));
  }
}

/** Pure extraction from one HTML page: postings plus a parse error per unreadable block or posting. */
export function extractJobPostings(html: string, pageUrl: string, errors: CrawlErrorRecord[]): RawPosting[] {
  const $ = cheerio.load(html);
  const blocks: unknown[] = [];
  $('script').each((index, element) => {
    const type = ($(element).attr('type') ?? '').trim().toLowerCase();
    if (type !== 'application/ld+json') return;
    const source = $(element).text().trim();
    if (!source) return;
    try {
      blocks.push(parseJsonLd(source));
    } catch (error) {
      errors.push({
        url: pageUrl,
        kind: 'parse',
        message: `JSON-LD block ${index} skipped: ${(error as Error).message}`,
      });
    }
  });
  // References may point into another block of the same page.
  const byId = nodesById(blocks);
  const nodes = blocks.flatMap((block) => findJobPostings(block)).map((node) => resolveRefs(node, byId) as JsonObject);
  return nodes
    .map((node, index) => mapJobPosting(node, pageUrl, `${pageUrl}#${index}`, errors))
    .filter((posting) => posting !== undefined);
}

export async function crawlJsonLd(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(JsonLdConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  let pages = config.pages ?? [context.spec.url];
  let listingExhausted = true;
  const validators: SourceResult['validators'] = {};

  if (config.sitemap) {
    const sitemapUrl = config.sitemap;
    let include: RegExp | undefined;
    try {
      include = config.include ? new RegExp(config.include) : undefined;
    } catch (error) {
      context.errors.push({
        kind: 'config',
        message: `include is not a regular expression: ${(error as Error).message}`,
      });
      return { postings: [], listingExhausted: false };
    }
    try {
      const walk = await walkSitemap(context.fetcher, sitemapUrl, {
        maxUrls: config.maxUrls,
        include,
        validators: context.state.validators[sitemapUrl],
        onError: (error, url) => recordError(context.errors, error, url),
      });
      if (walk.validators) validators[sitemapUrl] = walk.validators;
      if (walk.notModified) return { postings: [], listingExhausted: false, notModified: true, validators };
      pages = walk.pages;
      listingExhausted = !walk.truncated;
    } catch (error) {
      recordError(context.errors, error, sitemapUrl);
      return { postings: [], listingExhausted: false, validators };
    }
  }

  const byId = new Map<string, RawPosting>();
  for (const page of pages.slice(0, config.maxUrls)) {
    try {
      const response = await context.fetcher.fetch(page, { headers: { accept: 'text/html' } });
      for (const posting of extractJobPostings(response.text(), response.url, context.errors)) {
        if (!byId.has(posting.externalId)) byId.set(posting.externalId, posting);
      }
    } catch (error) {
      recordError(context.errors, error, page);
    }
  }
  return {
    postings: [...byId.values()],
    listingExhausted: listingExhausted && pages.length <= config.maxUrls,
    validators,
  };
}
