/** RSS 2.0 and Atom job feeds (ATS exports, public-sector job portals). */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import type { RawPosting } from '../src/domain/posting.ts';
import { salaryFromText } from '../src/ingest/salary.ts';
import { compilePatterns, employerFromText, placesFromText } from '../src/ingest/text-facts.ts';
import {
  absoluteUrl,
  asArray,
  clean,
  htmlToText,
  parseConfig,
  parseXmlOrRefuse,
  recordError,
  toIsoDate,
  toRawPosting,
  unique,
} from './common.ts';
import { CrawlError } from './http/errors.ts';
import type { CrawlContext, CrawlErrorRecord, SourceResult } from './types.ts';

/** A regular expression an administrator configures; refused at config time when it does not compile. */
const Pattern = z
  .string()
  .min(1)
  .max(300)
  .refine((source) => {
    try {
      compilePatterns([source]);
      return true;
    } catch {
      return false;
    }
  }, 'kein gültiger regulärer Ausdruck');

export const FeedConfig = z.object({
  /** Item elements holding a place, with their namespace prefix as written in the feed. */
  locationTags: z
    .array(z.string())
    .default(['location', 'job:location', 'jobs:location', 'joblisting:location', 'job_listing:location']),
  /** RSS category domain / Atom category scheme that marks a category as a place. */
  locationCategory: z.string().default('location'),
  employerTags: z
    .array(z.string())
    .default(['company', 'job:company', 'jobs:company', 'joblisting:company', 'job_listing:company']),
  /** Item elements holding pay as text ("45.000 – 55.000 € pro Jahr"); a figure without a period is left out. */
  salaryTags: z
    .array(z.string())
    .default(['salary', 'job:salary', 'jobs:salary', 'joblisting:salary', 'job_listing:salary']),
  /** Item elements whose value "true", "1" or "yes" marks remote work. */
  remoteTags: z.array(z.string()).default(['remote', 'job:remote', 'joblisting:remote', 'job_listing:remote_position']),
  /** For feeds of a single employer that never name it. */
  employerName: z.string().max(300).optional(),
  /**
   * For feeds without employer or place fields: regular expressions (case-insensitive, first capture group) that
   * find them in the description, tried before the built-in "Arbeitgeber: …" / "Ort: 01234 Stadt" lines and the
   * postcode-and-town detector.
   */
  textPatterns: z
    .object({
      employer: z.array(Pattern).max(10).default([]),
      place: z.array(Pattern).max(10).default([]),
    })
    .default({ employer: [], place: [] }),
});
export type FeedConfig = z.infer<typeof FeedConfig>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  htmlEntities: true,
  isArray: (tagName) => ['item', 'entry', 'category', 'link'].includes(tagName),
});

type Node = Record<string, unknown>;

/** Element text whether the parser gave a string or an object with attributes. */
function textOf(value: unknown): string | undefined {
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === 'object' && value !== null) return clean((value as Node)['#text']);
  return clean(value);
}

function atomLink(links: unknown): string | undefined {
  const list = asArray(links as Node[]);
  const alternate = list.find((link) => !link['@_rel'] || link['@_rel'] === 'alternate') ?? list[0];
  return clean(alternate?.['@_href']) ?? textOf(alternate);
}

function locations(item: Node, config: FeedConfig): string[] {
  const fromTags = config.locationTags.flatMap((tag) => asArray(item[tag]).map(textOf));
  const fromCategories = asArray(item.category as unknown[]).map((category) => {
    if (typeof category !== 'object' || category === null) return undefined;
    const node = category as Node;
    const marker = node['@_domain'] ?? node['@_scheme'];
    return marker === config.locationCategory
      ? (textOf(node) ?? clean(node['@_label']) ?? clean(node['@_term']))
      : undefined;
  });
  return unique([...fromTags, ...fromCategories].filter((place) => place !== undefined));
}

/** Pure mapping of an RSS or Atom document to postings. */
export function mapFeed(xml: string, feedUrl: string, config: FeedConfig, errors: CrawlErrorRecord[]): RawPosting[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new CrawlError('parse', `feed is not well-formed XML: ${valid.err.msg}`, feedUrl);
  const doc = parseXmlOrRefuse(() => parser.parse(xml), feedUrl, 'feed') as { rss?: { channel?: Node }; feed?: Node };
  const atom = doc.feed !== undefined;
  if (!atom && !doc.rss?.channel) throw new CrawlError('parse', 'neither an RSS 2.0 channel nor an Atom feed', feedUrl);
  const items = asArray((atom ? doc.feed?.entry : doc.rss?.channel?.item) as Node[] | undefined);
  const patterns = {
    employer: compilePatterns(config.textPatterns.employer),
    place: compilePatterns(config.textPatterns.place),
  };
  const postings: RawPosting[] = [];
  for (const item of items) {
    const link = absoluteUrl(atom ? atomLink(item.link) : textOf(item.link), feedUrl);
    const id = textOf(atom ? item.id : item.guid) ?? link;
    const title = htmlToText(textOf(item.title)) || undefined;
    if (!id || !title) {
      errors.push({
        url: feedUrl,
        kind: 'parse',
        message: `feed item without id/link or title skipped (${id ?? title ?? '?'})`,
      });
      continue;
    }
    const body = atom
      ? (textOf(item.content) ?? textOf(item.summary))
      : (textOf(item['content:encoded']) ?? textOf(item.description));
    const description = htmlToText(body);
    const employerField = config.employerTags.map((tag) => textOf(item[tag])).find(Boolean);
    const places = locations(item, config).map((city) => ({ city }));
    const posting = toRawPosting(
      {
        externalId: id,
        url: link,
        title,
        description,
        // Fields first, then the text; a configured name only for feeds that state none at all.
        employerName: employerField ?? employerFromText(description, patterns) ?? config.employerName,
        locations: places.length ? places : placesFromText(description, patterns),
        salary: salaryFromText(config.salaryTags.map((tag) => textOf(item[tag])).find(Boolean)),
        remote: config.remoteTags.some((tag) => /^(?:true|1|yes|ja)$/i.test(textOf(item[tag]) ?? '')) || undefined,
        datePosted: toIsoDate(atom ? (item.published ?? item.updated) : item.pubDate),
      },
      errors,
      feedUrl,
    );
    if (posting) postings.push(posting);
  }
  return postings;
}

export async function crawlFeed(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(FeedConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const feedUrl = context.spec.url;
  try {
    const response = await context.fetcher.fetch(feedUrl, {
      validators: context.state.validators[feedUrl],
      headers: { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9' },
    });
    const validators = { [feedUrl]: response.validators };
    if (response.notModified) return { postings: [], listingExhausted: false, notModified: true, validators };
    return {
      postings: mapFeed(response.text(), response.url, config, context.errors),
      listingExhausted: true,
      validators,
    };
  } catch (error) {
    recordError(context.errors, error, feedUrl);
    return { postings: [], listingExhausted: false };
  }
}
