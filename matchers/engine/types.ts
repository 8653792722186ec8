/**
 * The matcher's vocabulary. Everything here is pure data: the service (matchers/service/) builds these values from
 * the DB and stores or renders the results; nothing in matchers/engine/ does I/O.
 */
import { z } from 'zod';
import {
  ContractType,
  KldbCode5,
  LanguageRequirement,
  Licence,
  OfferType,
  WorkingTime,
} from '../../src/domain/enums.ts';

/**
 * What an employer may prefer beyond the hard requirements. Only job-related criteria exist here; the object is
 * strict, so a preference on gender, age, origin or anything else is rejected at parse time instead of being
 * silently dropped (AGG § 11: a vacancy must not be advertised in a discriminating way).
 */
export const EmployerPreferences = z
  .object({
    skills: z.array(z.string().max(100)).max(30).default([]),
    licences: z.array(Licence).default([]),
    languages: z.array(LanguageRequirement).default([]),
    minRequirementLevel: z.number().int().min(1).max(4).nullable().default(null),
  })
  .strict();
export type EmployerPreferences = z.infer<typeof EmployerPreferences>;

export const MatchVacancy = z.object({
  id: z.string().min(1),
  kldbCode: KldbCode5,
  requirementLevel: z.number().int().min(1).max(4),
  /** Work place; null only for remote vacancies. */
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  remote: z.boolean().default(false),
  /** Every work place with coordinates when there are several (the main one too); the nearest one counts. */
  places: z
    .array(z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }))
    .max(50)
    .optional(),
  /** Alternatives the employer offers (Jobsuche semantics): the vacancy fits if any one of them fits. */
  workingTimes: z.array(WorkingTime).min(1),
  contractType: ContractType.nullable(),
  offerType: OfferType,
  licences: z.array(Licence).default([]),
  skills: z.array(z.string().max(100)).max(100).default([]),
  languages: z.array(LanguageRequirement).default([]),
  publishedAt: z.date(),
  validThrough: z.date().nullable(),
  startDate: z.date().nullable().default(null),
  employerPreferences: EmployerPreferences.nullable().default(null),
});
export type MatchVacancy = z.infer<typeof MatchVacancy>;

/** Key of an existing proposal (any status: open, accepted, rejected). */
export function proposalKey(customerId: string, vacancyId: string): string {
  return `${customerId}\u0000${vacancyId}`;
}

export interface MatchRequest {
  /** Length of the result list; default 20. */
  limit?: number;
  /** Include customers in the activation profile (Aktivierungsprofil); default false. */
  includeActivation?: boolean;
  /** Include integrated customers (Aufstocker) looking for more hours or better pay; default false. */
  includeIntegrated?: boolean;
  /** Reference time for blocks, availability and freshness; passed in so results are reproducible. */
  now: Date;
  /** Pairs already proposed or rejected, built with `proposalKey`. */
  existingProposals?: ReadonlySet<string>;
}

export interface Reason {
  code: string;
  /** German, for caseworkers. */
  text: string;
}

export interface MatchPart {
  code: string;
  /** Share of the 100 points this part can give. */
  weight: number;
  /** 0..1 */
  value: number;
  /** weight × value, rounded to one decimal for display. */
  points: number;
  text: string;
}

export interface MatchResult {
  customerId: string;
  vacancyId: string;
  /** 0–100, integer. */
  score: number;
  parts: MatchPart[];
  passedConstraints: Reason[];
}

/** Why a candidate is not in the list, on request ("warum nicht?"). `id` is the candidate's id. */
export interface Exclusion {
  id: string;
  failed: Reason[];
}
