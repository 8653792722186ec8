/**
 * What the proposals say about a subject right now, and applying it to a ranking computed earlier. Stored lists are ranked without proposals (so a cap
 * reached yesterday and freed today does not leave an empty list behind); at read time the subject's cap, the
 * candidates' caps and the existing pairs are applied here, with the same notes the rankers give.
 */
import {
  type CapSkip,
  type Caps,
  customerAtCapNote,
  customerCapNote,
  type OpenProposalCounts,
  vacancyAtCapNote,
  vacancyCapNote,
} from './caps.ts';
import { type MatchResult, proposalKey } from './types.ts';
import { CAPS } from './weights.ts';

/**
 * Open proposals on both sides (for the caps) and the pairs that exist in any status (never suggested again), as
 * the service reads them from the proposals table per query.
 */
export interface ProposalState extends OpenProposalCounts {
  /** Every existing pair of the subject, built with `proposalKey`. */
  existing: Set<string>;
}

/** For rankings that get proposals applied later (stored lists). */
export const NO_PROPOSALS: ProposalState = { perVacancy: new Map(), perCustomer: new Map(), existing: new Set() };

export interface ProposalView<T> {
  results: T[];
  skipped: CapSkip[];
  capNote: string | null;
  /** False when entries were dropped and the ranking given was cut off: the caller must rank again. */
  complete: boolean;
}

/**
 * `ranked` is best first. `exhaustive` says whether it holds every candidate (the ranker's list was not cut at its
 * limit); only then may a list shortened by dropped entries be served as it is.
 */
export function applyProposals<T extends MatchResult>(
  ranked: readonly T[],
  subject: { type: 'vacancy' | 'customer'; id: string },
  state: ProposalState,
  limit: number,
  exhaustive: boolean,
  caps: Caps = CAPS,
): ProposalView<T> {
  const forVacancy = subject.type === 'vacancy';
  const openHere = (forVacancy ? state.perVacancy : state.perCustomer).get(subject.id) ?? 0;
  const capNote = (forVacancy ? vacancyCapNote(openHere, caps) : customerCapNote(openHere, caps)) ?? null;
  if (openHere >= (forVacancy ? caps.perVacancy : caps.perCustomer)) {
    return { results: [], skipped: [], capNote, complete: true };
  }
  const results: T[] = [];
  const skipped: CapSkip[] = [];
  for (const entry of ranked) {
    if (results.length >= limit) break;
    if (state.existing.has(proposalKey(entry.customerId, entry.vacancyId))) continue;
    const candidateAtCap = forVacancy
      ? (state.perCustomer.get(entry.customerId) ?? 0) >= caps.perCustomer
      : (state.perVacancy.get(entry.vacancyId) ?? 0) >= caps.perVacancy;
    if (candidateAtCap) {
      skipped.push({
        id: forVacancy ? entry.customerId : entry.vacancyId,
        score: entry.score,
        note: forVacancy ? customerAtCapNote(caps) : vacancyAtCapNote(caps),
      });
      continue;
    }
    results.push(entry);
  }
  return { results, skipped, capNote, complete: results.length >= limit || exhaustive };
}
