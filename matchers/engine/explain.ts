/** German explanation texts for every score part, and the full explained result of one pair. */
import type { MatchProfile } from '../../src/domain/customer.ts';
import { WORKING_TIME_LABEL } from '../../src/domain/enums.ts';
import { kldbTitle } from '../../src/taxonomy/kldb.ts';
import { constraintReasons, type PairContext, pairContext } from './constraints.ts';
import { eligibilityReasons } from './eligibility.ts';
import { heldLevel, normaliseSkill, profileFacts } from './facts.ts';
import { formatKm, LEVEL_SHORT, languageName, levelName, licenceLabel } from './labels.ts';
import {
  askedLanguages,
  askedLicences,
  bestTarget,
  customerLevel,
  languageMet,
  PART_CODES,
  PART_VALUE,
  rawScore,
  roundScore,
} from './score.ts';
import type { Exclusion, MatchPart, MatchRequest, MatchResult, MatchVacancy } from './types.ts';
import { type PartCode, WEIGHTS } from './weights.ts';

const DAY_MS = 86_400_000;

const HIERARCHY_NAME: Readonly<Record<number, string>> = {
  5: 'gleiche Berufsgattung',
  4: 'gleiche Berufsuntergruppe',
  3: 'gleiche Berufsgruppe',
  2: 'gleiche Berufshauptgruppe',
};

const PART_TEXT: Readonly<Record<PartCode, (ctx: PairContext) => string>> = {
  occupation: (ctx) => {
    const target = bestTarget(ctx.profile.targetKldbCodes, ctx.vacancy.kldbCode);
    const prefix = ctx.vacancy.kldbCode.slice(0, target.digits);
    const which = target.index === 0 ? '' : ` (${target.index + 1}. Zielberuf ${target.code})`;
    return (
      `${HIERARCHY_NAME[target.digits] ?? 'anderes Berufsfeld'}: ${prefix} ${kldbTitle(prefix) ?? ''}`.trimEnd() + which
    );
  },

  requirementLevel: (ctx) => {
    const own = customerLevel(ctx);
    const asked = ctx.vacancy.requirementLevel;
    if (asked === own) return `Anforderungsniveau passt: ${LEVEL_SHORT[asked]}`;
    const direction = asked < own ? 'unter' : 'über';
    const steps = Math.abs(asked - own);
    return `Anforderungsniveau ${steps === 1 ? 'eine Stufe' : `${steps} Stufen`} ${direction} dem Ziel (${LEVEL_SHORT[asked]} statt ${LEVEL_SHORT[own]})`;
  },

  skills: (ctx) => {
    const asked = ctx.vacancy.skills;
    if (asked.length === 0) return 'keine Fachkenntnisse in der Stelle angegeben';
    const held = profileFacts(ctx.profile).skills;
    const met = asked.filter((s) => held.has(normaliseSkill(s)));
    const list = met.length > 0 ? ` (${met.join(', ')})` : '';
    return `Kenntnisse: ${met.length} von ${asked.length} vorhanden${list}`;
  },

  licences: (ctx) => {
    const asked = askedLicences(ctx.vacancy);
    if (asked.length === 0) return 'kein Führerschein gefragt';
    const held = profileFacts(ctx.profile).licences;
    return asked
      .map((l) => {
        const preferred = ctx.vacancy.licences.includes(l) ? '' : ' (erwünscht)';
        return `${licenceLabel(l)}${preferred} ${held.has(l) ? 'vorhanden' : 'fehlt'}`;
      })
      .join('; ');
  },

  languages: (ctx) => {
    const asked = askedLanguages(ctx.vacancy);
    if (asked.length === 0) return 'keine Sprachanforderung angegeben';
    const facts = profileFacts(ctx.profile);
    return asked
      .map((req) => {
        const held = heldLevel(facts, req.language);
        const name = languageName(req.language);
        if (languageMet(ctx, req))
          return `${name} ${levelName(held ?? req.level)} erfüllt (gefordert ${levelName(req.level)})`;
        return `${name} ${levelName(req.level)} erwünscht, ${held ? `vorhanden ${levelName(held)}` : 'nicht vorhanden'}`;
      })
      .join('; ');
  },

  distance: (ctx) =>
    ctx.distanceKm === null ? 'Heim-/Telearbeit, kein Pendelweg' : `Pendelweg ${formatKm(ctx.distanceKm)}`,

  workingTime: (ctx) => {
    const accepted = profileFacts(ctx.profile).workingTimes;
    return ctx.vacancy.workingTimes
      .map((t) => `${WORKING_TIME_LABEL[t]} ${accepted.has(t) ? 'passt' : 'nicht möglich'}`)
      .join('; ');
  },

  freshness: (ctx) => {
    const days = Math.max(0, Math.floor((ctx.now - ctx.vacancy.publishedAt.getTime()) / DAY_MS));
    return days === 0
      ? 'heute veröffentlicht'
      : days === 1
        ? 'gestern veröffentlicht'
        : `vor ${days} Tagen veröffentlicht`;
  },

  employerPreferences: (ctx) => {
    const prefs = ctx.vacancy.employerPreferences;
    if (!prefs || (prefs.skills.length === 0 && prefs.minRequirementLevel === null)) {
      return 'keine weiteren Wünsche des Arbeitgebers';
    }
    const held = profileFacts(ctx.profile).skills;
    const items = prefs.skills.map((s) => `${s} ${held.has(normaliseSkill(s)) ? 'vorhanden' : 'fehlt'}`);
    if (prefs.minRequirementLevel !== null) {
      const met = customerLevel(ctx) >= prefs.minRequirementLevel;
      items.push(`mindestens ${LEVEL_SHORT[prefs.minRequirementLevel]} ${met ? 'erfüllt' : 'nicht erfüllt'}`);
    }
    return `Wünsche des Arbeitgebers: ${items.join('; ')}`;
  },
};

export function explainParts(ctx: PairContext): MatchPart[] {
  return PART_CODES.map((code) => {
    const weight = WEIGHTS[code];
    const value = PART_VALUE[code](ctx);
    return { code, weight, value, points: Math.round(weight * value * 10) / 10, text: PART_TEXT[code](ctx) };
  });
}

/** The explained result of a pair that passed every constraint (the caller has checked). */
export function explainMatch(ctx: PairContext, req: MatchRequest): MatchResult {
  return {
    customerId: ctx.profile.id,
    vacancyId: ctx.vacancy.id,
    score: roundScore(rawScore(ctx)),
    parts: explainParts(ctx),
    passedConstraints: [...eligibilityReasons(ctx.profile, req).passed, ...constraintReasons(ctx).passed],
  };
}

/**
 * Why a pair is not suggested: every failed eligibility rule and hard constraint. Empty `failed` means the pair
 * would be suggested if its score ranks high enough. `side` says whose id the exclusion names.
 */
export function explainExclusion(
  profile: MatchProfile,
  vacancy: MatchVacancy,
  req: MatchRequest,
  side: 'customer' | 'vacancy',
): Exclusion {
  const ctx = pairContext(profile, vacancy, req);
  return {
    id: side === 'customer' ? profile.id : vacancy.id,
    failed: [...eligibilityReasons(profile, req).failed, ...constraintReasons(ctx).failed],
  };
}
