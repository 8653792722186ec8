/**
 * The port through which a proposal is checked against the matcher's rules at send time. src/ is the core and may
 * not import matchers/, so the rules arrive as a function: the composition root passes the adapter built from the
 * matcher's pure functions (eligibility: profile group, consent, block; hard constraints: occupation field, working
 * time, commute, licences, languages, availability, validity). One place for each rule: the matcher's.
 */
import type { MatchProfile } from '../domain/customer.ts';
import type { VacancyRow } from '../vacancies/vacancy.ts';

export interface Reason {
  code: string;
  /** German, for caseworkers ("warum nicht?"). */
  text: string;
}

/** The stored vacancy fields the matcher reads (as matchers/service/load.ts selects them). */
export type PairVacancy = Pick<
  VacancyRow,
  | 'id'
  | 'status'
  | 'startDate'
  | 'kldbCode'
  | 'kldbNeedsReview'
  | 'requirementLevel'
  | 'lat'
  | 'lon'
  | 'remote'
  | 'workingTimes'
  | 'contractType'
  | 'offerType'
  | 'skills'
  | 'licences'
  | 'languages'
  | 'publishedAt'
  | 'validThrough'
>;

export interface PairCheckInput {
  profile: MatchProfile;
  vacancy: PairVacancy;
  now: Date;
  /** The caseworker proposes from the list that includes the activation profile. */
  includeActivation: boolean;
}

/**
 * The failed rules for one pair: empty when the customer may be proposed; null when the vacancy cannot be matched
 * at all (not open, occupation code unconfirmed, no place).
 */
export type PairCheck = (input: PairCheckInput) => Reason[] | null;
