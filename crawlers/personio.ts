/** Personio's public XML feed (https://<company>.jobs.personio.de/xml): every open position of one employer. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import type { ContractType, OfferType, WorkingTime } from '../src/domain/enums.ts';
import type { RawPosting } from '../src/domain/posting.ts';
import {
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

export const PersonioConfig = z.object({
  /** Feed language; Personio serves the positions' German or English texts. */
  language: z.enum(['de', 'en']).optional(),
  /** The feed names a subcompany at most; the employer's name for positions without one. */
  employerName: z.string().max(300).optional(),
});

const ARRAY_TAGS = new Set(['position', 'jobDescription', 'additionalOffices.office']);
const parser = new XMLParser({
  ignoreAttributes: true,
  // Ids and postcodes must stay strings: "0123" is not 123.
  parseTagValue: false,
  isArray: (tagName, jPath) => ARRAY_TAGS.has(tagName) || ARRAY_TAGS.has(String(jPath).split('.').slice(-2).join('.')),
});

const CONTRACT: Record<string, ContractType> = { permanent: 'unbefristet', temporary: 'befristet' };
/** Personio's "trainee" is labelled "Ausbildung" in its German interface. */
const OFFER: Record<string, OfferType> = {
  permanent: 'arbeit',
  temporary: 'arbeit',
  working_student: 'arbeit',
  intern: 'praktikum',
  trainee: 'ausbildung',
  freelance: 'selbstaendigkeit',
};
const SCHEDULE: Record<string, WorkingTime[]> = {
  'full-time': ['vollzeit'],
  'part-time': ['teilzeit'],
  'full-or-part-time': ['vollzeit', 'teilzeit'],
};

type Node = Record<string, unknown>;

/** Pure mapping of a parsed feed; `feedUrl` gives the origin of the position pages. */
export function mapPersonioFeed(
  xml: string,
  feedUrl: string,
  employerName: string | undefined,
  errors: CrawlErrorRecord[],
): RawPosting[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new CrawlError('parse', `Personio feed is not well-formed XML: ${valid.err.msg}`, feedUrl);
  const doc = parseXmlOrRefuse(() => parser.parse(xml), feedUrl, 'Personio feed') as {
    'workzag-jobs'?: { position?: Node[] } | '';
  };
  const root = doc['workzag-jobs'];
  if (root === undefined) throw new CrawlError('parse', 'not a Personio feed (no workzag-jobs element)', feedUrl);
  const origin = new URL(feedUrl).origin;
  const postings: RawPosting[] = [];
  for (const position of (typeof root === 'object' ? root.position : undefined) ?? []) {
    const id = clean(position.id);
    const title = clean(position.name);
    if (!id || !title) {
      errors.push({
        url: feedUrl,
        kind: 'parse',
        message: `Personio position without id or name skipped (${id ?? title ?? '?'})`,
      });
      continue;
    }
    const employmentType = clean(position.employmentType)?.toLowerCase();
    const schedule = clean(position.schedule)?.toLowerCase();
    const additional = (position.additionalOffices as Node | undefined)?.office;
    const descriptions = asArray((position.jobDescriptions as Node | undefined)?.jobDescription as Node[] | undefined)
      .map((section) => [clean(section.name), htmlToText(String(section.value ?? ''))].filter(Boolean).join('\n\n'))
      .filter((section) => section.length > 0);
    const posting = toRawPosting(
      {
        externalId: id,
        url: `${origin}/job/${encodeURIComponent(id)}`,
        title,
        description: descriptions.join('\n\n'),
        employerName: clean(position.subcompany) ?? employerName,
        locations: unique([position.office, ...asArray(additional)].map(clean).filter((o) => o !== undefined)).map(
          (city) => ({ city }),
        ),
        employmentTypes: [employmentType, schedule].filter((t) => t !== undefined),
        workingTimes: schedule ? SCHEDULE[schedule] : undefined,
        contractType: employmentType ? CONTRACT[employmentType] : undefined,
        offerType: employmentType ? OFFER[employmentType] : undefined,
        occupationHints: unique(
          [position.occupation, position.occupationCategory, position.recruitingCategory]
            .map(clean)
            .filter((h) => h !== undefined),
        ),
        datePosted: toIsoDate(position.createdAt),
      },
      errors,
      feedUrl,
    );
    if (posting) postings.push(posting);
  }
  return postings;
}

export async function crawlPersonio(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(PersonioConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const url = new URL(context.spec.url);
  if (config.language) url.searchParams.set('language', config.language);
  const feedUrl = url.href;
  try {
    const response = await context.fetcher.fetch(feedUrl, {
      validators: context.state.validators[feedUrl],
      headers: { accept: 'application/xml' },
    });
    const validators = { [feedUrl]: response.validators };
    if (response.notModified) return { postings: [], listingExhausted: false, notModified: true, validators };
    const postings = mapPersonioFeed(response.text(), feedUrl, config.employerName, context.errors);
    return { postings, listingExhausted: true, validators };
  } catch (error) {
    recordError(context.errors, error, feedUrl);
    return { postings: [], listingExhausted: false };
  }
}
