/**
 * Recruitee's Careers Site API (`GET https://<company>.recruitee.com/api/offers/`): every published offer of one
 * company in one answer, with HTML texts, structured places, work-mode flags and a structured salary.
 */
import type { PostingLocation, RawPosting } from '../../src/domain/posting.ts';
import { RecruiteeConfig } from '../../src/sources/source-config.ts';
import { clean, compact, htmlToText, parseConfig, recordError, toRawPosting, unique } from '../common.ts';
import { CrawlError } from '../http/errors.ts';
import type { CrawlContext, CrawlErrorRecord, SourceResult } from '../types.ts';
import { employmentFacts, fetchJson, isObject, isoDate, type Json, objectsOf, salaryOf, sections } from './shared.ts';

function place(location: Json): PostingLocation | undefined {
  const result = compact({
    street: clean(location.street),
    plz: clean(location.postal_code),
    city: clean(location.city),
    region: clean(location.state_name ?? location.state),
    country: clean(location.country),
  });
  return Object.keys(result).length > 0 ? result : undefined;
}

/** Pure mapping of one answer; offers without id or title are recorded and skipped. */
export function mapRecruiteeOffers(
  body: unknown,
  url: string,
  employerName: string | undefined,
  errors: CrawlErrorRecord[],
): RawPosting[] {
  if (!isObject(body) || !Array.isArray(body.offers)) {
    throw new CrawlError('parse', 'not a Recruitee offers answer (no "offers" list)', url);
  }
  const postings: RawPosting[] = [];
  for (const offer of objectsOf(body.offers)) {
    const id = clean(offer.id);
    const title = clean(offer.title);
    if (!id || !title) {
      errors.push({ url, kind: 'parse', message: `Recruitee offer without id or title skipped (${id ?? '?'})` });
      continue;
    }
    const locations = objectsOf(offer.locations).map(place);
    // Older answers carry one place in top-level fields only.
    if (locations.length === 0) locations.push(place(offer));
    const facts = employmentFacts([clean(offer.employment_type_code)?.replaceAll('_', ' ')]);
    const salary = isObject(offer.salary)
      ? salaryOf(offer.salary.min, offer.salary.max, offer.salary.currency, offer.salary.period)
      : undefined;
    const posting = toRawPosting(
      {
        externalId: id,
        url: clean(offer.careers_url) ?? clean(offer.careers_apply_url),
        title,
        description: sections([
          [undefined, htmlToText(clean(offer.description))],
          ['Anforderungen', htmlToText(clean(offer.requirements))],
        ]),
        employerName: clean(offer.company_name) ?? employerName,
        locations: locations.filter((l) => l !== undefined).slice(0, 50),
        ...facts,
        remote: offer.remote === true ? true : undefined,
        salary,
        occupationHints: unique([offer.department, offer.category_code].map(clean).filter((h) => h !== undefined)),
        datePosted: isoDate(offer.published_at ?? offer.created_at),
        validThrough: isoDate(offer.close_at),
      },
      errors,
      url,
    );
    if (posting) postings.push(posting);
  }
  return postings;
}

export async function crawlRecruitee(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(RecruiteeConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const url = context.spec.url;
  try {
    const page = await fetchJson(context, url, { conditional: true });
    const validators = { [url]: page.validators };
    if (page.notModified) return { postings: [], listingExhausted: false, notModified: true, validators };
    const postings = mapRecruiteeOffers(page.body, page.url, config.employerName, context.errors);
    return { postings, listingExhausted: true, validators };
  } catch (error) {
    recordError(context.errors, error, url);
    return { postings: [], listingExhausted: false };
  }
}
