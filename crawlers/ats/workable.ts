/**
 * Workable's public job widget API (`GET https://apply.workable.com/api/v1/widget/accounts/<account>?details=true`):
 * the account's name and every published job in one answer, with HTML texts when `details` is asked for.
 */
import type { PostingLocation, RawPosting } from '../../src/domain/posting.ts';
import { WorkableConfig } from '../../src/sources/source-config.ts';
import { clean, compact, htmlToText, parseConfig, recordError, toRawPosting, unique } from '../common.ts';
import { CrawlError } from '../http/errors.ts';
import type { CrawlContext, CrawlErrorRecord, SourceResult } from '../types.ts';
import { employmentFacts, fetchJson, isObject, isoDate, type Json, objectsOf, sections, withQuery } from './shared.ts';

function place(location: Json): PostingLocation | undefined {
  if (location.hidden === true) return undefined;
  const result = compact({
    city: clean(location.city),
    region: clean(location.region ?? location.state),
    country: clean(location.country),
  });
  return result.city || result.region ? result : undefined;
}

/** Pure mapping of one answer; jobs without shortcode or title are recorded and skipped. */
export function mapWorkableAccount(
  body: unknown,
  url: string,
  employerName: string | undefined,
  errors: CrawlErrorRecord[],
): RawPosting[] {
  if (!isObject(body) || !Array.isArray(body.jobs)) {
    throw new CrawlError('parse', 'not a Workable account answer (no "jobs" list)', url);
  }
  const account = clean(body.name);
  const postings: RawPosting[] = [];
  for (const job of objectsOf(body.jobs)) {
    const id = clean(job.shortcode) ?? clean(job.code);
    const title = clean(job.title);
    if (!id || !title) {
      errors.push({ url, kind: 'parse', message: `Workable job without shortcode or title skipped (${id ?? '?'})` });
      continue;
    }
    const listed = objectsOf(job.locations).map(place);
    const locations = listed.length > 0 ? listed : [place(job)];
    const posting = toRawPosting(
      {
        externalId: id,
        url: clean(job.url) ?? clean(job.shortlink) ?? clean(job.application_url),
        title,
        description: sections([
          [undefined, htmlToText(clean(job.description))],
          ['Anforderungen', htmlToText(clean(job.requirements))],
          ['Wir bieten', htmlToText(clean(job.benefits))],
        ]),
        employerName: account ?? employerName,
        locations: locations.filter((l) => l !== undefined).slice(0, 50),
        ...employmentFacts([clean(job.employment_type)]),
        remote: job.telecommuting === true ? true : undefined,
        occupationHints: unique([job.function, job.department, job.industry].map(clean).filter((h) => h !== undefined)),
        datePosted: isoDate(job.published_on ?? job.created_at),
      },
      errors,
      url,
    );
    if (posting) postings.push(posting);
  }
  return postings;
}

export async function crawlWorkable(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(WorkableConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const url = withQuery(context.spec.url, { details: 'true' });
  try {
    const page = await fetchJson(context, url, { conditional: true });
    const validators = { [url]: page.validators };
    if (page.notModified) return { postings: [], listingExhausted: false, notModified: true, validators };
    const postings = mapWorkableAccount(page.body, page.url, config.employerName, context.errors);
    return { postings, listingExhausted: true, validators };
  } catch (error) {
    recordError(context.errors, error, url);
    return { postings: [], listingExhausted: false };
  }
}
