/**
 * Stored match lists (table `matches`, one row per subject): derived, rebuildable, and kept so a caseworker's view is
 * served fast and a decision can be reconstructed. A stored list is ranked without proposals (they are applied when
 * read, see engine/proposals.ts), includes the activation profile flagged per result, and holds more entries than
 * one page so branch and profile filters can usually be served from it.
 */
import { and, eq } from 'drizzle-orm';
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

export interface StoredList<T extends MatchResult = MatchResult> {
  results: T[];
  excludedCount: number;
  computedAt: Date;
}

const bySubject = (subject: Subject) => and(eq(matches.subjectType, subject.type), eq(matches.subjectId, subject.id));

export async function readStored(ctx: Ctx, subject: Subject): Promise<StoredList | undefined> {
  const [row] = await ctx.db
    .select({ results: matches.results, excludedCount: matches.excludedCount, computedAt: matches.computedAt })
    .from(matches)
    .where(bySubject(subject));
  return row && { results: row.results as MatchResult[], excludedCount: row.excludedCount, computedAt: row.computedAt };
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
