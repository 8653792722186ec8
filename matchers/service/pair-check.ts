/**
 * The matcher's side of the proposals' send-time check (the `PairCheck` port of src/proposals/pair-check.ts):
 * eligibility (profile group, consent, block) and the hard constraints, as failed reasons, from the engine's pure
 * functions. src/ may not import matchers/, so the composition root hands this to the routes that send proposals;
 * the rules themselves stay in one place, the engine.
 */
import type { PairCheck } from '../../src/proposals/pair-check.ts';
import { constraintReasons, pairContext } from '../engine/constraints.ts';
import { eligibilityReasons } from '../engine/eligibility.ts';
import { toVacancy } from './load.ts';

export const matcherPairCheck: PairCheck = ({ profile, vacancy, now, includeActivation }) => {
  const matchVacancy = toVacancy(vacancy);
  if (!matchVacancy) return null;
  const req = { now, includeActivation };
  return [
    ...eligibilityReasons(profile, req).failed,
    ...constraintReasons(pairContext(profile, matchVacancy, req)).failed,
  ];
};
