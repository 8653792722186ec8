/**
 * The brute-force rankers: every pair scored, no narrowing. They are the reference the candidate indexes are tested
 * against (tests/unit/match-index.test.ts) and the benchmark's baseline (scripts/bench-match.ts), so they live beside
 * those, not in the engine.
 */
import {
  customerAtCapNote,
  customerCapNote,
  NO_OPEN_PROPOSALS,
  vacancyAtCapNote,
  vacancyCapNote,
} from '../../matchers/engine/caps.ts';
import { pairContext } from '../../matchers/engine/constraints.ts';
import { isEligible } from '../../matchers/engine/eligibility.ts';
import { finish, limitOf, offer, type RankOptions, type RankOutput, TopK } from '../../matchers/engine/rank.ts';
import type { MatchVacancy } from '../../matchers/engine/types.ts';
import { CAPS } from '../../matchers/engine/weights.ts';
import type { MatchProfile } from '../../src/domain/customer.ts';

/** Brute force: every profile against one vacancy. */
export function bruteForceCustomersForVacancy(
  profiles: Iterable<MatchProfile>,
  vacancy: MatchVacancy,
  req: RankOptions,
): RankOutput {
  const caps = req.caps ?? CAPS;
  const open = req.openProposals ?? NO_OPEN_PROPOSALS;
  const openHere = open.perVacancy.get(vacancy.id) ?? 0;
  const top = new TopK(openHere >= caps.perVacancy ? 0 : limitOf(req));
  const skipped = new TopK(limitOf(req));
  let excluded = 0;
  for (const profile of profiles) {
    if (!isEligible(profile, req)) {
      excluded++;
      continue;
    }
    const atCap = (open.perCustomer.get(profile.id) ?? 0) >= caps.perCustomer;
    if (!offer(pairContext(profile, vacancy, req), profile.id, atCap ? skipped : top)) excluded++;
  }
  return finish(top, req, excluded, vacancyCapNote(openHere, caps), skipped, customerAtCapNote(caps));
}

/** Brute force: one profile against every vacancy. */
export function bruteForceVacanciesForCustomer(
  vacancies: Iterable<MatchVacancy>,
  profile: MatchProfile,
  req: RankOptions,
): RankOutput {
  const caps = req.caps ?? CAPS;
  const open = req.openProposals ?? NO_OPEN_PROPOSALS;
  const openHere = open.perCustomer.get(profile.id) ?? 0;
  const eligible = isEligible(profile, req);
  const top = new TopK(openHere >= caps.perCustomer || !eligible ? 0 : limitOf(req));
  const skipped = new TopK(limitOf(req));
  let excluded = 0;
  for (const vacancy of vacancies) {
    if (!eligible) {
      excluded++;
      continue;
    }
    const atCap = (open.perVacancy.get(vacancy.id) ?? 0) >= caps.perVacancy;
    if (!offer(pairContext(profile, vacancy, req), vacancy.id, atCap ? skipped : top)) excluded++;
  }
  return finish(top, req, excluded, customerCapNote(openHere, caps), skipped, vacancyAtCapNote(caps));
}
