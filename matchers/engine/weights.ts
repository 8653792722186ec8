/**
 * Every weight and threshold of the matcher, in one place, so a review (IKS, AI-Act documentation) reads one file.
 * Weights are points out of 100; a part's value (0..1) times its weight gives its points. Changing a number here
 * changes rankings: re-run `npm run eval:match` and record the result in docs/matching.md.
 */
import { DEFAULT_SLA_RULES } from '../../src/sla/rules.ts';

export const WEIGHTS = {
  /** Closeness of the vacancy's occupation to the customer's target occupations (KldB hierarchy). */
  occupation: 35,
  /** Distance between commute and the customer's limit. */
  distance: 15,
  /** Share of the vacancy's listed skills the customer has. */
  skills: 12,
  /** Vacancy requirement level against the level the customer aims for. */
  requirementLevel: 10,
  /** Share of the vacancy's working-time options the customer can take. */
  workingTime: 8,
  /** Licences asked for (required ones are a hard constraint; preferred ones count here). */
  licences: 5,
  /** Languages asked for (required levels are a hard constraint; preferred ones count here). */
  languages: 5,
  /** Lawful employer preferences not covered above: preferred skills, minimum requirement level. */
  employerPreferences: 5,
  /** Recently published vacancies are more likely still open. */
  freshness: 5,
} as const;
export type PartCode = keyof typeof WEIGHTS;

/**
 * Occupational proximity by the number of leading KldB digits shared with a target code. Fewer than 2 shared
 * digits (another Berufshauptgruppe) is a hard exclusion, see MIN_SHARED_KLDB_DIGITS.
 */
export const OCCUPATION_PROXIMITY: Readonly<Record<number, number>> = { 5: 1, 4: 0.75, 3: 0.5, 2: 0.25 };
export const MIN_SHARED_KLDB_DIGITS = 2;
/** Targets after the first count this much of their proximity: the first target is what the customer wants most. */
export const LATER_TARGET_FACTOR = 0.9;

/**
 * Requirement level fit by (vacancy level − customer's level). Taking a job one level below is plausible
 * (over-qualified), one level above is a stretch; two or more apart gives nothing.
 */
export const LEVEL_FIT: Readonly<Record<number, number>> = { 0: 1, [-1]: 0.6, 1: 0.5 };

/** Distance: full value up to this distance, then linear decay to 0 at the customer's maxCommuteKm. */
export const DISTANCE_FULL_KM = 5;

/** Freshness: full value for this many days after publication, then linear decay to 0. */
export const FRESH_FULL_DAYS = 7;
export const FRESH_ZERO_DAYS = 60;

/**
 * Value of a part whose subject the vacancy does not mention (no skills listed, no licences asked for …). Neither
 * reward nor penalty, so vacancies coded sparsely are not pushed to the top or the bottom.
 */
export const NEUTRAL_VALUE = 0.5;

/** Without a start date, a customer must be available within this many days from now. */
export const AVAILABILITY_WINDOW_DAYS = 28;

/**
 * Caps on open placement proposals (Obergrenzen bei Vermittlungsvorschlägen, quality standard 1). One number for the
 * match lists and for the send-time check: the employer promise's rules (src/sla/rules.ts) own it, and the engine
 * reads that module's defaults (zod and constants only, so the engine stays free of the DB and the context).
 */
export const CAPS: Readonly<{ perVacancy: number; perCustomer: number }> = DEFAULT_SLA_RULES.caps;

/**
 * Spread across a batch of vacancies: each earlier suggestion of the same customer in the batch lowers their
 * score for the next vacancy by this many points, so equally suited customers get a chance.
 */
export const SPREAD_PENALTY_POINTS = 8;

export const DEFAULT_LIMIT = 20;

const total = Object.values(WEIGHTS).reduce((sum, w) => sum + w, 0);
if (total !== 100) throw new Error(`matcher weights must sum to 100, got ${total}`);
