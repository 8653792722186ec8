/**
 * Facts derived from a profile once and reused for every vacancy it is compared with. Cached per profile object:
 * profiles are treated as immutable values (an update replaces the object, see index upsert).
 */
import type { MatchProfile } from '../../src/domain/customer.ts';
import type { LanguageLevel, Licence, WorkingTime } from '../../src/domain/enums.ts';

/** Holding a class implies these (EU licence directive; CE includes T and L in Germany). */
const LICENCE_IMPLIES: Readonly<Partial<Record<Licence, readonly Licence[]>>> = {
  A: ['A2', 'A1', 'AM'],
  A2: ['A1', 'AM'],
  A1: ['AM'],
  B: ['AM', 'L'],
  BE: ['B'],
  C1: ['B'],
  C: ['C1', 'B'],
  C1E: ['C1', 'BE'],
  CE: ['C', 'C1E', 'BE', 'T'],
  D1: ['B'],
  D: ['D1', 'B'],
  D1E: ['D1', 'BE'],
  DE: ['D', 'D1E', 'BE'],
  T: ['L', 'AM'],
};

const LEVEL_RANK: Readonly<Record<LanguageLevel, number>> = { A1: 1, A2: 2, B1: 3, B2: 4, C1: 5, C2: 6, native: 7 };

export function languageRank(level: LanguageLevel): number {
  return LEVEL_RANK[level];
}

export function normaliseSkill(skill: string): string {
  return skill.trim().toLowerCase();
}

export interface ProfileFacts {
  licences: ReadonlySet<Licence>;
  /** Best level per language code. */
  languages: ReadonlyMap<string, LanguageLevel>;
  skills: ReadonlySet<string>;
  workingTimes: ReadonlySet<WorkingTime>;
}

const cache = new WeakMap<MatchProfile, ProfileFacts>();

export function profileFacts(profile: MatchProfile): ProfileFacts {
  let facts = cache.get(profile);
  if (!facts) {
    facts = {
      licences: licenceClosure(profile.licences),
      languages: bestLevels(profile.languages),
      skills: new Set(profile.skills.map(normaliseSkill)),
      workingTimes: new Set(profile.workingTimes),
    };
    cache.set(profile, facts);
  }
  return facts;
}

function licenceClosure(held: readonly Licence[]): Set<Licence> {
  const result = new Set<Licence>();
  const stack = [...held];
  while (stack.length > 0) {
    const licence = stack.pop() as Licence;
    if (result.has(licence)) continue;
    result.add(licence);
    stack.push(...(LICENCE_IMPLIES[licence] ?? []));
  }
  return result;
}

function bestLevels(languages: MatchProfile['languages']): Map<string, LanguageLevel> {
  const best = new Map<string, LanguageLevel>();
  for (const { language, level } of languages) {
    const current = best.get(language);
    if (!current || languageRank(level) > languageRank(current)) best.set(language, level);
  }
  return best;
}

/** Level the customer has in a language, or undefined. */
export function heldLevel(facts: ProfileFacts, language: string): LanguageLevel | undefined {
  return facts.languages.get(language);
}
