/**
 * SmartRecruiters' Posting API: the listing (`GET https://api.smartrecruiters.com/v1/companies/<id>/postings`, paged
 * by `offset` and `limit`, `totalFound` saying how many there are) names each job with place and categories; its
 * text and links are in the detail (`…/postings/<postingId>`), read per posting. The listing also names the
 * recruiter who created the posting (`creator`): a person, never mapped.
 */
import type { PostingLocation, RawPosting } from '../../src/domain/posting.ts';
import { SmartRecruitersConfig } from '../../src/sources/source-config.ts';
import { clean, compact, htmlToText, parseConfig, recordError, toRawPosting, unique } from '../common.ts';
import { CrawlError } from '../http/errors.ts';
import type { CrawlContext, CrawlErrorRecord, SourceResult } from '../types.ts';
import { employmentFacts, fetchJson, isObject, isoDate, type Json, objectsOf, sections, withQuery } from './shared.ts';

const label = (value: unknown): string | undefined => (isObject(value) ? clean(value.label) : undefined);

const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

function place(location: unknown): PostingLocation | undefined {
  if (!isObject(location)) return undefined;
  const lat = number(location.latitude);
  const lon = number(location.longitude);
  const result = compact({
    street: clean(location.address),
    plz: clean(location.postalCode),
    city: clean(location.city),
    region: clean(location.region),
    country: clean(location.country),
    lat: lat !== undefined && Math.abs(lat) <= 90 ? lat : undefined,
    lon: lon !== undefined && Math.abs(lon) <= 180 ? lon : undefined,
  });
  return Object.keys(result).length > 0 ? result : undefined;
}

const SECTION_ORDER = ['jobDescription', 'qualifications', 'additionalInformation', 'companyDescription'];

/** The detail's text sections, the job first and the company last, each under its own heading. */
function detailText(detail: Json | undefined): string {
  const jobAd = detail && isObject(detail.jobAd) ? detail.jobAd : undefined;
  const all = jobAd && isObject(jobAd.sections) ? jobAd.sections : {};
  return sections(
    SECTION_ORDER.map((key): [string | undefined, string] => {
      const section = isObject(all[key]) ? all[key] : {};
      return [clean(section.title), htmlToText(clean(section.text))];
    }),
  );
}

/** Pure mapping of one listed posting and, when read, its detail. */
export function mapSmartRecruitersPosting(
  listed: Json,
  detail: Json | undefined,
  url: string,
  employerName: string | undefined,
  errors: CrawlErrorRecord[],
): RawPosting | undefined {
  const id = clean(listed.id);
  const title = clean(listed.name);
  if (!id || !title) {
    errors.push({ url, kind: 'parse', message: `SmartRecruiters posting without id or name skipped (${id ?? '?'})` });
    return undefined;
  }
  const location = isObject(detail?.location) ? detail.location : listed.location;
  const custom = objectsOf(listed.customField).map((f) => clean(f.valueLabel));
  return toRawPosting(
    {
      externalId: id,
      url: clean(detail?.postingUrl) ?? clean(detail?.applyUrl),
      title,
      description: detailText(detail),
      employerName: (isObject(listed.company) ? clean(listed.company.name) : undefined) ?? employerName,
      locations: [place(location)].filter((p) => p !== undefined),
      ...employmentFacts([
        isObject(listed.typeOfEmployment) ? clean(listed.typeOfEmployment.id) : undefined,
        label(listed.typeOfEmployment),
        ...custom,
      ]),
      remote: isObject(location) && location.remote === true ? true : undefined,
      occupationHints: unique(
        [label(listed.function), label(listed.department), label(listed.industry)].filter((h) => h !== undefined),
      ),
      datePosted: isoDate(listed.releasedDate),
    },
    errors,
    url,
  );
}

interface ListingPage {
  items: Json[];
  total: number | undefined;
}

function listingPage(body: unknown, url: string): ListingPage {
  if (!isObject(body) || !Array.isArray(body.content)) {
    throw new CrawlError('parse', 'not a SmartRecruiters postings answer (no "content" list)', url);
  }
  return { items: objectsOf(body.content), total: number(body.totalFound) };
}

export async function crawlSmartRecruiters(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(SmartRecruitersConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const listingUrl = context.spec.url.replace(/\/+$/, '');
  const listed: Json[] = [];
  let exhausted = false;
  let stoppedEarly = false;
  for (let page = 0; page < config.maxPages && !exhausted; page++) {
    const url = withQuery(listingUrl, { offset: page * config.pageSize, limit: config.pageSize });
    try {
      const { items, total } = listingPage((await fetchJson(context, url)).body, url);
      listed.push(...items);
      // totalFound is the promise; a short page before it is reached is the end only when no total is stated.
      exhausted = total !== undefined ? page * config.pageSize + items.length >= total : items.length < config.pageSize;
      if (!exhausted && items.length === 0) {
        context.errors.push({
          url,
          kind: 'incomplete',
          message: `empty page before all ${total} postings were listed`,
        });
        stoppedEarly = true;
      }
    } catch (error) {
      recordError(context.errors, error, url);
      stoppedEarly = true;
    }
    if (stoppedEarly) break;
  }
  if (!exhausted && !stoppedEarly) {
    context.errors.push({
      url: listingUrl,
      kind: 'incomplete',
      message: `more than ${config.maxPages} pages of ${config.pageSize}: listing not read to the end`,
    });
  }

  const byId = new Map<string, RawPosting>();
  for (const item of listed) {
    const id = clean(item.id);
    if (id && byId.has(id)) continue;
    let detail: Json | undefined;
    if (config.details && id) {
      const detailUrl = `${listingUrl}/${encodeURIComponent(id)}`;
      try {
        const body = (await fetchJson(context, detailUrl)).body;
        if (!isObject(body)) throw new CrawlError('parse', 'posting detail is not an object', detailUrl);
        detail = body;
      } catch (error) {
        // Without its detail the posting would overwrite the stored text with none: left out this run, which is then
        // not complete, so its vacancy stays as it was.
        recordError(context.errors, error, detailUrl);
        continue;
      }
    }
    const posting = mapSmartRecruitersPosting(item, detail, listingUrl, config.employerName, context.errors);
    if (posting) byId.set(posting.externalId, posting);
  }
  return { postings: [...byId.values()], listingExhausted: exhausted };
}
