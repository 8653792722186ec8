/**
 * Which customers may be proposed at all, before any vacancy is looked at. Profile groups follow the job centre's
 * concept (docs/matching.md, "Eligibility"):
 * - market: always; the primary target of placement proposals.
 * - activation: only when the caseworker asks for it (`includeActivation`), matches are "useful with care".
 * - integrated (Aufstocker): only on request (`includeIntegrated`). They already work; a proposal helps only if the
 *   job pays better or has more hours, which the profile cannot show yet, so a caseworker decides case by case.
 * - support, complex, not_available (§ 10 SGB II): never.
 */
import type { MatchProfile } from '../../src/domain/customer.ts';
import type { ProfileGroup } from '../../src/domain/enums.ts';
import { PROFILE_GROUP_LABEL } from '../../src/domain/enums.ts';
import { formatDate } from './labels.ts';
import type { MatchRequest, Reason } from './types.ts';

/**
 * Opening one customer's list is the caseworker's case-by-case decision the job centre's concept asks for before
 * the activation and integrated profiles are matched, so the customer view includes both; the other groups are
 * never matched.
 */
export const CUSTOMER_VIEW = { includeActivation: true, includeIntegrated: true } as const;

export function profileGroupAllowed(
  group: ProfileGroup,
  req: Pick<MatchRequest, 'includeActivation' | 'includeIntegrated'>,
) {
  switch (group) {
    case 'market':
      return true;
    case 'activation':
      return req.includeActivation === true;
    case 'integrated':
      return req.includeIntegrated === true;
    default:
      return false;
  }
}

/** True when the customer may be proposed; the hot path of the index uses this. */
export function isEligible(profile: MatchProfile, req: MatchRequest): boolean {
  return (
    profileGroupAllowed(profile.profileGroup, req) &&
    profile.consent &&
    (profile.blockedUntil === null || profile.blockedUntil.getTime() <= req.now.getTime())
  );
}

/** Reasons for or against eligibility, for explanations. */
export function eligibilityReasons(profile: MatchProfile, req: MatchRequest): { passed: Reason[]; failed: Reason[] } {
  const passed: Reason[] = [];
  const failed: Reason[] = [];
  const group = PROFILE_GROUP_LABEL[profile.profileGroup];
  if (profileGroupAllowed(profile.profileGroup, req))
    passed.push({ code: 'profile_group', text: `Profillage: ${group}` });
  else failed.push({ code: 'profile_group', text: `Profillage ${group} wird nicht vorgeschlagen` });

  if (profile.consent) passed.push({ code: 'consent', text: 'Einwilligung zur Vermittlung liegt vor' });
  else failed.push({ code: 'consent', text: 'keine Einwilligung zur Vermittlung' });

  if (profile.blockedUntil !== null && profile.blockedUntil.getTime() > req.now.getTime()) {
    failed.push({ code: 'blocked', text: `von der Fachkraft zurückgestellt bis ${formatDate(profile.blockedUntil)}` });
  } else {
    passed.push({ code: 'blocked', text: 'keine Zurückstellung durch die Fachkraft' });
  }
  return { passed, failed };
}
