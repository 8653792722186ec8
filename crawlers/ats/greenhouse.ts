/**
 * Greenhouse's Job Board API (`GET https://boards-api.greenhouse.io/v1/boards/<token>/jobs?content=true`): every
 * published job of one board in one answer, with the (entity-encoded) HTML text, offices, departments and custom
 * metadata. `meta.total` states how many jobs the board has, so a cut-short list is noticed.
 */
import type { PostingLocation, RawPosting } from '../../src/domain/posting.ts';
import { GreenhouseConfig } from '../../src/sources/source-config.ts';
import { clean, htmlToText, parseConfig, recordError, toRawPosting, unique } from '../common.ts';
import { CrawlError } from '../http/errors.ts';
import type { CrawlContext, CrawlErrorRecord, SourceResult } from '../types.ts';
import { employmentFacts, fetchJson, isObject, isoDate, objectsOf, withQuery } from './shared.ts';

/** Several places in one location line: "Stuttgart; München", "Stuttgart | Remote". */
const splitPlaces = (line: string | undefined): string[] =>
  (line ?? '')
    .split(/\s*[;|]\s*/)
    .map(clean)
    .filter((p) => p !== undefined);

const REMOTE = /\bremote\b|home[- ]?office|mobiles arbeiten/i;

/** Metadata a board may define for the employment type, in English or German. */
const EMPLOYMENT_FIELD = /employment|anstellung|beschäftigung|arbeitszeit|vertrag/i;

export interface GreenhouseMapping {
  postings: RawPosting[];
  /** The board listed fewer jobs than its `meta.total` promised. */
  short: boolean;
}

/** Pure mapping of one answer; jobs without id or title are recorded and skipped. */
export function mapGreenhouseJobs(
  body: unknown,
  url: string,
  employerName: string | undefined,
  errors: CrawlErrorRecord[],
): GreenhouseMapping {
  if (!isObject(body) || !Array.isArray(body.jobs)) {
    throw new CrawlError('parse', 'not a Greenhouse job board answer (no "jobs" list)', url);
  }
  const jobs = objectsOf(body.jobs);
  const total = isObject(body.meta) && typeof body.meta.total === 'number' ? body.meta.total : undefined;
  const postings: RawPosting[] = [];
  for (const job of jobs) {
    const id = clean(job.id);
    const title = clean(job.title);
    if (!id || !title) {
      errors.push({ url, kind: 'parse', message: `Greenhouse job without id or title skipped (${id ?? '?'})` });
      continue;
    }
    const line = isObject(job.location) ? clean(job.location.name) : undefined;
    const offices = objectsOf(job.offices)
      .map((o) => clean(o.location) ?? clean(o.name))
      .filter((o) => o !== undefined);
    // Offices name each place on its own; the location line is free text, used when a board keeps no offices.
    const places = unique(offices.length > 0 ? offices : splitPlaces(line));
    const remote = [line, ...places].some((p) => p !== undefined && REMOTE.test(p));
    const metadata = objectsOf(job.metadata);
    const employmentWords = metadata
      .filter((m) => EMPLOYMENT_FIELD.test(String(m.name ?? '')))
      .flatMap((m) => (Array.isArray(m.value) ? m.value : [m.value]))
      .map(clean);
    const posting = toRawPosting(
      {
        externalId: id,
        url: clean(job.absolute_url),
        title,
        // The API entity-encodes the HTML; htmlToText decodes a second round of markup.
        description: htmlToText(clean(job.content)),
        employerName: clean(job.company_name) ?? employerName,
        locations: places
          .filter((p) => !REMOTE.test(p) || /\d{5}/.test(p))
          .slice(0, 50)
          .map((city): PostingLocation => ({ city })),
        ...employmentFacts(employmentWords),
        remote: remote || undefined,
        occupationHints: unique(
          objectsOf(job.departments)
            .map((d) => clean(d.name))
            .filter((d) => d !== undefined),
        ).slice(0, 20),
        datePosted: isoDate(job.first_published ?? job.updated_at),
      },
      errors,
      url,
    );
    if (posting) postings.push(posting);
  }
  return { postings, short: total !== undefined && jobs.length < total };
}

export async function crawlGreenhouse(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(GreenhouseConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const url = withQuery(context.spec.url, { content: 'true' });
  try {
    const page = await fetchJson(context, url, { conditional: true });
    const validators = { [url]: page.validators };
    if (page.notModified) return { postings: [], listingExhausted: false, notModified: true, validators };
    const { postings, short } = mapGreenhouseJobs(page.body, page.url, config.employerName, context.errors);
    if (short) {
      context.errors.push({ url, kind: 'incomplete', message: 'the board listed fewer jobs than meta.total states' });
    }
    return { postings, listingExhausted: !short, validators };
  } catch (error) {
    recordError(context.errors, error, url);
    return { postings: [], listingExhausted: false };
  }
}
