/** Raw postings as ingest receives them: validated, fingerprinted and, when new or changed, normalised. */
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

/** One valid posting of a batch, with its content normalised once it is known to be needed. */
export interface ParsedPosting {
  raw: RawPosting;
  contentHash: string;
  normalised?: NormalisedVacancy;
  /** Its blocking keys for dedupe (src/ingest/dedupe.ts), derived from `normalised`. */
  keys?: string[];
}

/** The staged postings of one source, parsed before the batch's transaction opens (see prepare-batch.ts). */
export interface PreparedBatch {
  sourceId: string;
  authority: Authority;
  /** By external id. */
  postings: Map<string, ParsedPosting>;
  /** Fetched and error counts so far; the transaction adds the rest. */
  stats: IngestStats;
  /** The instant the postings were normalised at (dates in the future are read against it). */
  now: Date;
}

/** The posting's normalised content, computed here if the batch did not need it before its transaction. */
export function normalisedOf(posting: ParsedPosting, now: Date): NormalisedVacancy {
  posting.normalised ??= normalisePosting(posting.raw, { now });
  return posting.normalised;
}

/** Normalised content and dedupe keys of a posting its source does not list yet. */
export function prepareFresh(posting: ParsedPosting, now: Date): void {
  // URLs are matched through vacancy_sources (url, origin_url), so only content keys are stored.
  posting.keys ??= dedupeKeys(normalisedOf(posting, now));
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
  posting: ParsedPosting,
  normalisedAt: Date,
  now: Date,
  source: { authority: Authority; staleAfterDays?: number } = { authority: AUTHORITY.board },
): FreshPosting {
  prepareFresh(posting, normalisedAt);
  const normalised = posting.normalised as NormalisedVacancy;
  return {
    raw: posting.raw,
    contentHash: posting.contentHash,
    normalised,
    keys: posting.keys as string[],
    expired: pastValidThrough(normalised, now),
    stale:
      source.authority !== AUTHORITY.own && isStale({ ...normalised, firstSeenAt: now }, now, source.staleAfterDays),
  };
}
