/**
 * A customer (Kunde, eLb) as far as matching is concerned. Social data: visible only to caseworkers of the
 * customer's branch, every read audited, never in logs, queue payloads or public responses.
 */
import { z } from 'zod';
import { KldbCode5, LanguageRequirement, Licence, Plz, ProfileGroup, WorkingTime } from './enums.ts';

/**
 * Attributes the job centre may hold for statistics or support, which the AGG forbids as matching inputs.
 * They exist on the record but never reach the matcher: `toMatchProfile` drops them.
 */
export const ProtectedAttributes = z.object({
  gender: z.enum(['f', 'm', 'd', 'x']).nullable().default(null),
  birthYear: z.number().int().min(1900).max(2100).nullable().default(null),
  nationality: z.string().max(3).nullable().default(null),
  religion: z.string().max(50).nullable().default(null),
  severelyDisabled: z.boolean().nullable().default(null),
});
export type ProtectedAttributes = z.infer<typeof ProtectedAttributes>;

export const MatchProfile = z.object({
  id: z.string(),
  branchId: z.number().int(),
  profileGroup: ProfileGroup,
  /** 5-digit KldB codes of occupations the customer aims for, most wanted first. */
  targetKldbCodes: z.array(KldbCode5).min(1).max(10),
  qualifications: z.array(z.string().max(200)).max(50).default([]),
  skills: z.array(z.string().max(100)).max(100).default([]),
  licences: z.array(Licence).default([]),
  languages: z.array(LanguageRequirement).default([]),
  plz: Plz,
  lat: z.number(),
  lon: z.number(),
  maxCommuteKm: z.number().min(0).max(1000),
  /** Working times the customer can take on. A customer who cannot work shifts lacks 'schicht_nacht_wochenende'. */
  workingTimes: z.array(WorkingTime).min(1),
  availableFrom: z.date(),
  consent: z.boolean(),
  /** A caseworker's "not now": not proposed before this date. */
  blockedUntil: z.date().nullable(),
});
export type MatchProfile = z.infer<typeof MatchProfile>;

export const Customer = MatchProfile.extend({
  /** Synthetic in demo data ("Kunde 00042"); a real name in production. */
  displayName: z.string().max(200),
  protected: ProtectedAttributes,
});
export type Customer = z.infer<typeof Customer>;

/** The only way customer data reach the matcher: protected attributes are dropped here, once. */
export function toMatchProfile(customer: Customer): MatchProfile {
  const { displayName: _name, protected: _protected, ...profile } = customer;
  return profile;
}
