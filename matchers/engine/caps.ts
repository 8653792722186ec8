/**
 * Caps on open placement proposals (quality standard "Obergrenzen bei Vermittlungsvorschlägen") and the spread of
 * suggestions over a batch of vacancies, so that many vacancies competing for the same few customers do not all
 * get the same names.
 */
import type { MatchResult } from './types.ts';
import { CAPS, SPREAD_PENALTY_POINTS } from './weights.ts';

export interface Caps {
  perVacancy: number;
  perCustomer: number;
}

/** Open proposals right now, as counted by the proposal store. Missing ids count as 0. */
export interface OpenProposalCounts {
  perVacancy: ReadonlyMap<string, number>;
  perCustomer: ReadonlyMap<string, number>;
}

export interface CapSkip {
  /** Id of the skipped candidate. */
  id: string;
  score: number;
  note: string;
}

export const NO_OPEN_PROPOSALS: OpenProposalCounts = { perVacancy: new Map(), perCustomer: new Map() };

export function vacancyCapNote(open: number, caps: Caps = CAPS): string | undefined {
  if (open >= caps.perVacancy) return `Obergrenze von ${caps.perVacancy} offenen Vorschlägen erreicht`;
  if (open > 0)
    return `${open} offene Vorschläge, noch ${caps.perVacancy - open} bis zur Obergrenze von ${caps.perVacancy}`;
  return undefined;
}

export function customerCapNote(open: number, caps: Caps = CAPS): string | undefined {
  if (open >= caps.perCustomer)
    return `Obergrenze von ${caps.perCustomer} offenen Vorschlägen für diese Person erreicht`;
  if (open > 0)
    return `${open} offene Vorschläge, noch ${caps.perCustomer - open} bis zur Obergrenze von ${caps.perCustomer}`;
  return undefined;
}

export function customerAtCapNote(caps: Caps = CAPS): string {
  return `übersprungen: hat bereits ${caps.perCustomer} offene Vorschläge (Obergrenze)`;
}

export function vacancyAtCapNote(caps: Caps = CAPS): string {
  return `übersprungen: Stelle hat bereits ${caps.perVacancy} offene Vorschläge (Obergrenze)`;
}

export interface BatchEntry {
  vacancyId: string;
  /** Candidates for this vacancy, best first (from rankCustomersForVacancy). */
  ranked: readonly MatchResult[];
}

export interface BatchSuggestion {
  vacancyId: string;
  suggestions: MatchResult[];
  capNote?: string;
  skipped: CapSkip[];
}

/**
 * Greedy round-robin assignment over a batch: in each round every vacancy with a free slot takes its best remaining
 * candidate, where a customer's score is lowered by `penalty` points for each suggestion they already got in this
 * batch. Vacancy slots are the cap minus open proposals; customers never exceed their cap counting this batch.
 * Vacancies are served in the given order, so callers pass the most urgent (earliest SLA deadline) first.
 */
export function spreadSuggestions(
  batch: readonly BatchEntry[],
  open: OpenProposalCounts,
  caps: Caps = CAPS,
  penalty: number = SPREAD_PENALTY_POINTS,
): BatchSuggestion[] {
  const assigned = new Map<string, number>();
  const customerLeft = (id: string) => caps.perCustomer - (open.perCustomer.get(id) ?? 0) - (assigned.get(id) ?? 0);
  const state = batch.map((entry) => ({
    entry,
    slots: Math.max(0, caps.perVacancy - (open.perVacancy.get(entry.vacancyId) ?? 0)),
    taken: new Set<number>(),
  }));

  let progress = true;
  while (progress) {
    progress = false;
    for (const s of state) {
      if (s.taken.size >= s.slots) continue;
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      s.entry.ranked.forEach((candidate, i) => {
        if (s.taken.has(i) || customerLeft(candidate.customerId) <= 0) return;
        const adjusted = candidate.score - penalty * (assigned.get(candidate.customerId) ?? 0);
        if (adjusted > bestScore) {
          best = i;
          bestScore = adjusted;
        }
      });
      if (best < 0) continue;
      s.taken.add(best);
      const id = (s.entry.ranked[best] as MatchResult).customerId;
      assigned.set(id, (assigned.get(id) ?? 0) + 1);
      progress = true;
    }
  }

  return state.map(({ entry, slots, taken }) => {
    const chosen = [...taken].sort((a, b) => a - b);
    const lastChosen = chosen.at(-1) ?? entry.ranked.length;
    const skipped: CapSkip[] = [];
    entry.ranked.forEach((candidate, i) => {
      if (taken.has(i) || i > lastChosen || slots === 0 || customerLeft(candidate.customerId) > 0) return;
      const openBefore = open.perCustomer.get(candidate.customerId) ?? 0;
      const note =
        openBefore >= caps.perCustomer
          ? customerAtCapNote(caps)
          : `übersprungen: Obergrenze von ${caps.perCustomer} Vorschlägen mit diesem Durchlauf erreicht`;
      skipped.push({ id: candidate.customerId, score: candidate.score, note });
    });
    const capNote = vacancyCapNote(open.perVacancy.get(entry.vacancyId) ?? 0, caps);
    return {
      vacancyId: entry.vacancyId,
      suggestions: chosen.map((i) => entry.ranked[i] as MatchResult),
      ...(capNote ? { capNote } : {}),
      skipped,
    };
  });
}
