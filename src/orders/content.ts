/**
 * An order's content takes the same path as a crawled posting: the employer's statements become a raw posting,
 * which src/ingest/normalise.ts normalises and codes (occupation with confidence, place, working time …). What the
 * employer stated outright wins over what the text suggests: their skills, licences and languages are added to
 * those found in the text, and a stated requirement level that contradicts the occupation code sends the code to
 * review ("complete and plausible coding").
 */
import { createHash } from 'node:crypto';
import { Licence } from '../domain/enums.ts';
import { RawPosting } from '../domain/posting.ts';
import { dedupeKeys } from '../ingest/dedupe.ts';
import { normalisePosting } from '../ingest/normalise.ts';
import { requirementLevel } from '../taxonomy/kldb.ts';
import type { NormalisedVacancy } from '../vacancies/vacancy.ts';
import type { OrderInput } from './order-input.ts';

/** The stated fields that make the posting; the rest of an order (contact, positions …) lives in its own columns. */
export const POSTING_FIELDS = [
  'title',
  'description',
  'plz',
  'street',
  'place',
  'working_times',
  'contract_type',
  'offer_type',
  'start_date',
  'requirement_level',
  'skills',
  'licences',
  'languages',
  'salary',
] as const satisfies ReadonlyArray<keyof OrderInput>;
export type StatedPosting = Pick<OrderInput, (typeof POSTING_FIELDS)[number]>;

export function statedPosting(input: OrderInput): StatedPosting {
  const out: Record<string, unknown> = {};
  for (const key of POSTING_FIELDS) if (input[key] !== undefined) out[key] = input[key];
  return out as StatedPosting;
}

export interface OrderContent {
  content: NormalisedVacancy;
  contentHash: string;
  dedupeKeys: string[];
  startDate: Date | null;
}

function unionBy<T>(a: readonly T[], b: readonly T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of [...a, ...b]) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

export function orderContent(
  stated: StatedPosting,
  opts: { reference: string; employerName: string; now: Date; publishedAt?: Date | null },
): OrderContent {
  const raw = RawPosting.parse({
    externalId: opts.reference,
    title: stated.title,
    description: stated.description,
    employerName: opts.employerName,
    locations: [{ plz: stated.plz, street: stated.street, city: stated.place }],
    workingTimes: stated.working_times,
    contractType: stated.contract_type,
    offerType: stated.offer_type,
    salary: stated.salary,
    datePosted: (opts.publishedAt ?? opts.now).toISOString(),
  });
  const found = normalisePosting(raw, { now: opts.now });
  const stillPlausible =
    stated.requirement_level === undefined ||
    found.kldbCode === null ||
    requirementLevel(found.kldbCode) === stated.requirement_level;
  const content: NormalisedVacancy = {
    ...found,
    requirementLevel: stated.requirement_level ?? found.requirementLevel,
    kldbNeedsReview: found.kldbNeedsReview || !stillPlausible,
    skills: unionBy(stated.skills, found.skills, (s) => s.toLowerCase()),
    licences: Licence.options.filter((l) => stated.licences.includes(l) || found.licences.includes(l)),
    // A stated level replaces the one guessed from the text for the same language.
    languages: unionBy(stated.languages, found.languages, (l) => l.language),
  };
  return {
    content,
    contentHash: createHash('sha256').update(JSON.stringify(stated)).digest('base64url'),
    dedupeKeys: dedupeKeys(content),
    startDate: stated.start_date ? new Date(`${stated.start_date}T00:00:00Z`) : null,
  };
}
