/**
 * Stored match lists (table `matches`, one row per subject): derived, rebuildable, and kept so a caseworker's view is
 * served fast and a decision can be reconstructed. A stored list is ranked without proposals (they are applied when
 * read, see engine/proposals.ts), includes the activation profile flagged per result, and holds more entries than
 * one page so branch and profile filters can usually be served from it.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Ctx } from '../../src/context.ts';
import { matches } from '../../src/db/schema.ts';
import type { MatchProfile } from '../../src/domain/customer.ts';
import { NO_PROPOSALS } from '../engine/proposals.ts';
import type { MatchResult, MatchVacancy } from '../engine/types.ts';
import type { CandidateResult, MatchService } from './match-service.ts';
import type { Subject } from './proposal-state.ts';

/** Entries kept per stored list; also the largest page the API serves. */
export const STORED_LIMIT = 50;
/** A stored list older than this is ranked again on read: other subjects' changes do not invalidate it. */
export const STORED_MAX_AGE_MS = 5 * 60_000;
/**
 * Parsed stored lists a process keeps (about 130 kB of heap each, so some 65 MB): the lists of a few hundred subjects
 * a branch's caseworkers have open in a day.
 */
export const PARSED_LISTS_KEPT = 500;

export interface StoredList<T extends MatchResult = MatchResult> {
  results: T[];
  excludedCount: number;
  computedAt: Date;
}

/** The subject's stored list row; as a left join's condition, a subject may have none. */
export const bySubject = (subject: Subject) =>
  and(eq(matches.subjectType, subject.type), eq(matches.subjectId, subject.id));

/**
 * Stored lists as read and parsed by this process, each valid for exactly the row version it was read at (its
 * `computed_at`): a read then asks the DB for that instant only and parses the 80-kB list again only when the row
 * changed. Held by the process's match service, which drops every list naming a customer the moment the customer
 * leaves its index (deleted, restricted, out of the market), so a list with someone erased never outlives the sync
 * that tells this process about it.
 */
export class ParsedLists {
  private readonly lists = new Map<string, StoredList>();

  constructor(private readonly capacity = PARSED_LISTS_KEPT) {}

  get(subject: Subject): StoredList | undefined {
    return this.lists.get(keyOf(subject));
  }

  keep(subject: Subject, list: StoredList): void {
    const key = keyOf(subject);
    this.lists.delete(key);
    this.lists.set(key, list);
    if (this.lists.size > this.capacity) this.lists.delete(this.lists.keys().next().value as string);
  }

  forget(subject: Subject): void {
    this.lists.delete(keyOf(subject));
  }

  /** Drops the customer's own list and every vacancy list that names the customer. */
  forgetCustomer(customerId: string): void {
    this.lists.delete(keyOf({ type: 'customer', id: customerId }));
    for (const [key, list] of this.lists) {
      if (key.startsWith('vacancy:') && list.results.some((r) => (r as CandidateResult).customerId === customerId)) {
        this.lists.delete(key);
      }
    }
  }
}

const keyOf = (subject: Subject) => `${subject.type}:${subject.id}`;

/**
 * The columns of the subject's stored list, for a statement that reads it beside the subject's row (left-joined
 * on `bySubject`). With `parsed`, a list this process has already parsed at the row's current version is not sent
 * again: its results column is null then, and `storedListOf` takes the parsed one.
 */
export function storedListColumns(subject: Subject, parsed?: ParsedLists) {
  const known = parsed?.get(subject);
  const results = known
    ? sql<
        unknown[] | null
      >`case when ${matches.computedAt} = ${known.computedAt.toISOString()}::timestamptz then null else ${matches.results} end`.mapWith(
        matches.results,
      )
    : matches.results;
  return {
    known,
    columns: { storedResults: results, storedExcludedCount: matches.excludedCount, storedAt: matches.computedAt },
  };
}

/** The stored list from a row of `storedListColumns` (all null without a stored list); a fresh one read anew is kept. */
export function storedListOf(
  subject: Subject,
  parsed: ParsedLists | undefined,
  known: StoredList | undefined,
  row: { storedResults: unknown[] | null; storedExcludedCount: number | null; storedAt: Date | null },
  now: Date,
): StoredList | undefined {
  if (row.storedAt === null) {
    parsed?.forget(subject);
    return undefined;
  }
  if (known && row.storedResults === null) return known;
  const list = {
    results: row.storedResults as MatchResult[],
    excludedCount: row.storedExcludedCount ?? 0,
    computedAt: row.storedAt,
  };
  // Only a fresh list is worth keeping; a stale one is ranked again right away (and lists made stale by an erasure
  // all carry the same instant, so that instant cannot tell their versions apart).
  if (parsed && now.getTime() - list.computedAt.getTime() <= STORED_MAX_AGE_MS) parsed.keep(subject, list);
  else parsed?.forget(subject);
  return list;
}

/** Fresh: computed after the subject's last change and not older than STORED_MAX_AGE_MS. */
export function isFresh(stored: StoredList | undefined, changedAt: Date, now: Date): stored is StoredList {
  if (!stored) return false;
  const at = stored.computedAt.getTime();
  return at >= changedAt.getTime() && now.getTime() - at <= STORED_MAX_AGE_MS;
}

/** A subject with its record as matching sees it; undefined when it is gone, closed or not matchable. */
export type SubjectRecord =
  | { type: 'vacancy'; id: string; record: MatchVacancy | undefined }
  | { type: 'customer'; id: string; record: MatchProfile | undefined };

/**
 * Ranks the subject again and stores the list (upsert by subject); a subject without a record loses its stored list
 * and gives undefined. Ranks on the indexes as they stand: the caller has synced.
 */
export async function refreshStored(
  ctx: Ctx,
  service: MatchService,
  subject: SubjectRecord,
): Promise<StoredList | undefined> {
  if (!subject.record) {
    await ctx.db.delete(matches).where(bySubject(subject));
    return undefined;
  }
  const now = ctx.now();
  const query = { limit: STORED_LIMIT, now, proposals: NO_PROPOSALS };
  const ranked =
    subject.type === 'vacancy'
      ? service.rankCustomers(subject.record, { ...query, includeActivation: true })
      : service.rankVacancies(subject.record, query);
  const stored: StoredList<MatchResult | CandidateResult> = {
    results: ranked.results,
    excludedCount: ranked.excludedCount,
    computedAt: now,
  };
  await ctx.db
    .insert(matches)
    .values({ subjectType: subject.type, subjectId: subject.id, ...stored })
    .onConflictDoUpdate({
      target: [matches.subjectType, matches.subjectId],
      set: { results: stored.results, excludedCount: stored.excludedCount, computedAt: now },
    });
  return stored;
}
