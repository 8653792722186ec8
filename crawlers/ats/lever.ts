/**
 * Lever's Postings API (`GET https://api.lever.co/v0/postings/<company>?mode=json`), paged by `skip` and `limit`:
 * the answer is a bare list, and a page shorter than the limit is the last one. Postings carry HTML texts with
 * section lists, categories (commitment, department, team, every location), the workplace type and a salary range.
 */
import type { RawPosting } from '../../src/domain/posting.ts';
import { LeverConfig } from '../../src/sources/source-config.ts';
import { clean, htmlToText, parseConfig, recordError, toRawPosting, unique } from '../common.ts';
import { CrawlError } from '../http/errors.ts';
import type { CrawlContext, CrawlErrorRecord, SourceResult } from '../types.ts';
import {
  employmentFacts,
  fetchJson,
  isObject,
  isoDate,
  type Json,
  objectsOf,
  salaryOf,
  sections,
  withQuery,
} from './shared.ts';

const REMOTE_PLACE = /^\s*(remote|home[- ]?office)\b/i;

function mapPosting(posting: Json, url: string, employerName: string | undefined, errors: CrawlErrorRecord[]) {
  const id = clean(posting.id);
  const title = clean(posting.text);
  if (!id || !title) {
    errors.push({ url, kind: 'parse', message: `Lever posting without id or text skipped (${id ?? '?'})` });
    return undefined;
  }
  const categories = isObject(posting.categories) ? posting.categories : {};
  const all = Array.isArray(categories.allLocations) ? categories.allLocations : [];
  const places = unique([categories.location, ...all].map(clean).filter((p) => p !== undefined));
  const range = isObject(posting.salaryRange) ? posting.salaryRange : undefined;
  const lists = objectsOf(posting.lists).map((list): [string | undefined, string] => [
    clean(list.text),
    htmlToText(`<ul>${String(list.content ?? '')}</ul>`),
  ]);
  const workplace = clean(posting.workplaceType)?.toLowerCase();
  return toRawPosting(
    {
      externalId: id,
      url: clean(posting.hostedUrl) ?? clean(posting.applyUrl),
      title,
      description: sections([
        [undefined, htmlToText(clean(posting.description)) || (clean(posting.descriptionPlain) ?? '')],
        ...lists,
        [undefined, htmlToText(clean(posting.additional)) || (clean(posting.additionalPlain) ?? '')],
      ]),
      employerName,
      locations: places
        .filter((p) => !REMOTE_PLACE.test(p))
        .slice(0, 50)
        .map((city) => ({ city, country: clean(posting.country) })),
      ...employmentFacts([clean(categories.commitment)]),
      remote: workplace === 'remote' || places.some((p) => REMOTE_PLACE.test(p)) || undefined,
      salary: range ? salaryOf(range.min, range.max, range.currency, range.interval) : undefined,
      occupationHints: unique([categories.department, categories.team].map(clean).filter((h) => h !== undefined)),
      datePosted: isoDate(posting.createdAt),
    },
    errors,
    url,
  );
}

/** Pure mapping of one page; `undefined` entries are postings recorded as skipped. */
export function mapLeverPage(
  body: unknown,
  url: string,
  employerName: string | undefined,
  errors: CrawlErrorRecord[],
): { postings: RawPosting[]; count: number } {
  if (!Array.isArray(body)) throw new CrawlError('parse', 'not a Lever postings answer (no list)', url);
  const postings = body
    .map((entry) =>
      isObject(entry) ? mapPosting(entry, url, employerName, errors) : void errors.push(notAPosting(url)),
    )
    .filter((p) => p !== undefined);
  return { postings, count: body.length };
}

const notAPosting = (url: string): CrawlErrorRecord => ({
  url,
  kind: 'parse',
  message: 'Lever list entry is not a posting',
});

export async function crawlLever(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(LeverConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const byId = new Map<string, RawPosting>();
  for (let page = 0; page < config.maxPages; page++) {
    const url = withQuery(context.spec.url, { mode: 'json', skip: page * config.pageSize, limit: config.pageSize });
    try {
      const answer = await fetchJson(context, url);
      const { postings, count } = mapLeverPage(answer.body, answer.url, config.employerName, context.errors);
      for (const posting of postings) if (!byId.has(posting.externalId)) byId.set(posting.externalId, posting);
      if (count < config.pageSize) return { postings: [...byId.values()], listingExhausted: true };
    } catch (error) {
      // Later pages are not read: their offsets would shift anyway; what came so far is kept, nothing is closed.
      recordError(context.errors, error, url);
      return { postings: [...byId.values()], listingExhausted: false };
    }
  }
  context.errors.push({
    url: context.spec.url,
    kind: 'incomplete',
    message: `more than ${config.maxPages} pages of ${config.pageSize}: listing not read to the end`,
  });
  return { postings: [...byId.values()], listingExhausted: false };
}
