/**
 * How far a source's word on a vacancy counts, the one ranking for every rule that weighs sources against each
 * other: which linked posting's values the vacancy shows (src/vacancies/merge.ts) and whose listing keeps an old
 * posting open (the staleness sweep). The employer's own site or applicant-tracking system knows its vacancy best;
 * the BA's Jobsuche (and another job centre's exchange feed) carries what employers registered there; other
 * boards copy, often late.
 */
import type { SourceType } from '../domain/enums.ts';

export const AUTHORITY = { own: 3, agency: 2, board: 1 } as const;
export type Authority = (typeof AUTHORITY)[keyof typeof AUTHORITY];

/** Every source type has a rank: a new type does not compile until it is placed here. */
export const SOURCE_AUTHORITY: Readonly<Record<SourceType, Authority>> = {
  employer: AUTHORITY.own,
  jsonld: AUTHORITY.own,
  personio: AUTHORITY.own,
  recruitee: AUTHORITY.own,
  greenhouse: AUTHORITY.own,
  lever: AUTHORITY.own,
  smartrecruiters: AUTHORITY.own,
  workable: AUTHORITY.own,
  ba_jobsuche: AUTHORITY.agency,
  exchange: AUTHORITY.agency,
  feed: AUTHORITY.board,
  browser: AUTHORITY.board,
};

/** The rank of a stored source type; an unknown one (a row older than this code) counts as a board. */
export function sourceAuthority(type: string): Authority {
  return (SOURCE_AUTHORITY as Record<string, Authority>)[type] ?? AUTHORITY.board;
}

/** Source types that are the employer's own publication: their listing keeps a vacancy fresh. */
export const OWN_SOURCE_TYPES = (Object.keys(SOURCE_AUTHORITY) as SourceType[]).filter(
  (type) => SOURCE_AUTHORITY[type] === AUTHORITY.own,
);
