/**
 * The soft score: each part maps one aspect of a (customer, vacancy) pair to a value 0..1; the score is the sum of
 * weight × value over all parts (weights.ts), 0–100. Only pairs passing every hard constraint are scored.
 */

import type { LanguageRequirement, Licence } from '../../src/domain/enums.ts';
import { sharedKldbDigits } from '../../src/taxonomy/kldb.ts';
import type { PairContext } from './constraints.ts';
import { heldLevel, languageRank, normaliseSkill, profileFacts } from './facts.ts';
import type { MatchVacancy } from './types.ts';
import {
  DISTANCE_FULL_KM,
  FRESH_FULL_DAYS,
  FRESH_ZERO_DAYS,
  LATER_TARGET_FACTOR,
  LEVEL_FIT,
  NEUTRAL_VALUE,
  OCCUPATION_PROXIMITY,
  type PartCode,
  WEIGHTS,
} from './weights.ts';

const DAY_MS = 86_400_000;

export interface TargetMatch {
  /** Position in the customer's target list. */
  index: number;
  code: string;
  digits: number;
  value: number;
}

/** The target occupation closest to the vacancy; on equal value the earlier target wins. */
export function bestTarget(targets: readonly string[], vacancyCode: string): TargetMatch {
  let best: TargetMatch = { index: 0, code: targets[0] as string, digits: 0, value: 0 };
  for (let i = 0; i < targets.length; i++) {
    const code = targets[i] as string;
    const digits = sharedKldbDigits(code, vacancyCode);
    const value = (OCCUPATION_PROXIMITY[digits] ?? 0) * (i === 0 ? 1 : LATER_TARGET_FACTOR);
    if (value > best.value) best = { index: i, code, digits, value };
  }
  return best;
}

/** Level the customer aims for: the requirement digit of the target closest to the vacancy. */
export function customerLevel(ctx: PairContext): number {
  return Number(bestTarget(ctx.profile.targetKldbCodes, ctx.vacancy.kldbCode).code[4]);
}

export function shareOf(total: number, met: number): number {
  return total === 0 ? NEUTRAL_VALUE : met / total;
}

/** Required and preferred licences together, each once. */
export function askedLicences(vacancy: MatchVacancy): Licence[] {
  return [...new Set([...vacancy.licences, ...(vacancy.employerPreferences?.licences ?? [])])];
}

/** Required and preferred languages, the higher level where both name a language. */
export function askedLanguages(vacancy: MatchVacancy): LanguageRequirement[] {
  const byLanguage = new Map<string, LanguageRequirement>();
  for (const req of [...vacancy.languages, ...(vacancy.employerPreferences?.languages ?? [])]) {
    const current = byLanguage.get(req.language);
    if (!current || languageRank(req.level) > languageRank(current.level)) byLanguage.set(req.language, req);
  }
  return [...byLanguage.values()];
}

export function languageMet(ctx: PairContext, req: LanguageRequirement): boolean {
  const held = heldLevel(profileFacts(ctx.profile), req.language);
  return held !== undefined && languageRank(held) >= languageRank(req.level);
}

export const PART_VALUE: Readonly<Record<PartCode, (ctx: PairContext) => number>> = {
  occupation: (ctx) => bestTarget(ctx.profile.targetKldbCodes, ctx.vacancy.kldbCode).value,

  requirementLevel: (ctx) => LEVEL_FIT[ctx.vacancy.requirementLevel - customerLevel(ctx)] ?? 0,

  skills: (ctx) => {
    const held = profileFacts(ctx.profile).skills;
    return shareOf(ctx.vacancy.skills.length, ctx.vacancy.skills.filter((s) => held.has(normaliseSkill(s))).length);
  },

  licences: (ctx) => {
    const held = profileFacts(ctx.profile).licences;
    const asked = askedLicences(ctx.vacancy);
    return shareOf(asked.length, asked.filter((l) => held.has(l)).length);
  },

  languages: (ctx) => {
    const asked = askedLanguages(ctx.vacancy);
    return shareOf(asked.length, asked.filter((req) => languageMet(ctx, req)).length);
  },

  distance: (ctx) => {
    if (ctx.distanceKm === null || ctx.distanceKm <= DISTANCE_FULL_KM) return 1;
    const span = ctx.profile.maxCommuteKm - DISTANCE_FULL_KM;
    return span <= 0 ? 0 : Math.max(0, 1 - (ctx.distanceKm - DISTANCE_FULL_KM) / span);
  },

  workingTime: (ctx) => {
    const accepted = profileFacts(ctx.profile).workingTimes;
    const options = ctx.vacancy.workingTimes;
    return options.filter((t) => accepted.has(t)).length / options.length;
  },

  freshness: (ctx) => {
    const ageDays = (ctx.now - ctx.vacancy.publishedAt.getTime()) / DAY_MS;
    if (ageDays <= FRESH_FULL_DAYS) return 1;
    return Math.max(0, 1 - (ageDays - FRESH_FULL_DAYS) / (FRESH_ZERO_DAYS - FRESH_FULL_DAYS));
  },

  employerPreferences: (ctx) => {
    const prefs = ctx.vacancy.employerPreferences;
    if (!prefs) return NEUTRAL_VALUE;
    const held = profileFacts(ctx.profile).skills;
    const levelAsked = prefs.minRequirementLevel === null ? 0 : 1;
    const levelMet = prefs.minRequirementLevel !== null && customerLevel(ctx) >= prefs.minRequirementLevel ? 1 : 0;
    const skillsMet = prefs.skills.filter((s) => held.has(normaliseSkill(s))).length;
    return shareOf(prefs.skills.length + levelAsked, skillsMet + levelMet);
  },
};

export const PART_CODES = Object.keys(WEIGHTS) as PartCode[];

/** Unrounded score; used for ranking so that ties of the rounded score still order consistently. */
export function rawScore(ctx: PairContext): number {
  let total = 0;
  for (const code of PART_CODES) total += WEIGHTS[code] * PART_VALUE[code](ctx);
  return total;
}

export function roundScore(raw: number): number {
  return Math.min(100, Math.max(0, Math.round(raw)));
}
