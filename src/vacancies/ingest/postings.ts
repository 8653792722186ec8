/** Raw postings as ingest receives them: validated, fingerprinted and, when new, normalised. */
import { createHash } from 'node:crypto';
import { RawPosting } from '../../domain/posting.ts';
import { dedupeKeys } from '../../ingest/dedupe.ts';
import { normalisePosting } from '../../ingest/normalise.ts';
import { AUTHORITY, type Authority } from '../authority.ts';
import { isStale } from '../staleness.ts';
import type { NormalisedVacancy } from '../vacancy.ts';
import type { IngestStats } from './stats.ts';

/**
 * The valid postings of a batch, one per external id (the same posting twice in one batch counts once). Every
 * posting counts as fetched; an invalid one as an error.
 */
export function parsePostings(postings: unknown[], stats: IngestStats): Map<string, RawPosting> {
  const byExternalId = new Map<string, RawPosting>();
  for (const p of postings) {
    stats.fetched += 1;
    const parsed = RawPosting.safeParse(p);
    if (parsed.success) byExternalId.set(parsed.data.externalId, parsed.data);
    else stats.errors += 1;
  }
  return byExternalId;
}

/** The posting's fingerprint: a re-crawl with the same hash changes nothing. */
export function hashPosting(p: RawPosting): string {
  return createHash('sha256').update(JSON.stringify(p)).digest('base64url');
}

/**
 * Past its end date at this instant. Note: `isExpired` in src/ingest/dates.ts keeps a bare date valid through that
 * whole day; ingest has always compared the instant, and the two are not reconciled yet.
 */
export function pastValidThrough(vacancy: NormalisedVacancy, now: Date): boolean {
  return vacancy.validThrough !== null && vacancy.validThrough < now;
}

/** A posting no vacancy of its source links to yet. */
export interface FreshPosting {
  raw: RawPosting;
  contentHash: string;
  normalised: NormalisedVacancy;
  keys: string[];
  expired: boolean;
  /** Published long ago without end date, and not by the employer's own source: stored closed. */
  stale: boolean;
}

export function freshPosting(
  raw: RawPosting,
  contentHash: string,
  now: Date,
  source: { authority: Authority; staleAfterDays?: number } = { authority: AUTHORITY.board },
): FreshPosting {
  const normalised = normalisePosting(raw, { now });
  return {
    raw,
    contentHash,
    normalised,
    // URLs are matched through vacancy_sources (url, origin_url), so only content keys are stored here.
    keys: dedupeKeys(normalised),
    expired: pastValidThrough(normalised, now),
    stale:
      source.authority !== AUTHORITY.own && isStale({ ...normalised, firstSeenAt: now }, now, source.staleAfterDays),
  };
}
