/** The normalised vacancy: what ingest stores, the index serves and the matcher scores. */
import { z } from 'zod';
import {
  ContractType,
  KldbCode5,
  LanguageRequirement,
  Licence,
  OfferType,
  VacancyStatus,
  WorkingTime,
} from './enums.ts';
import { Salary } from './posting.ts';

export const NormalisedVacancy = z.object({
  title: z.string().min(1).max(500),
  description: z.string().max(100_000),
  employerName: z.string().max(300).nullable(),
  kldbCode: KldbCode5.nullable(),
  /** 0–1; below the coder's threshold a caseworker must confirm the code. */
  kldbConfidence: z.number().min(0).max(1),
  kldbNeedsReview: z.boolean(),
  requirementLevel: z.number().int().min(1).max(4).nullable(),
  plz: z.string().nullable(),
  place: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  remote: z.boolean(),
  workingTimes: z.array(WorkingTime),
  contractType: ContractType.nullable(),
  offerType: OfferType,
  salary: Salary.nullable(),
  skills: z.array(z.string()),
  licences: z.array(Licence),
  languages: z.array(LanguageRequirement),
  publishedAt: z.date().nullable(),
  validThrough: z.date().nullable(),
});
export type NormalisedVacancy = z.infer<typeof NormalisedVacancy>;

/** What the search index holds for one open vacancy: public data only, no personal data. */
export const VacancyDocument = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  employerName: z.string().nullable(),
  place: z.string().nullable(),
  plz: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  kldbCode: z.string().nullable(),
  kldbTitle: z.string().nullable(),
  workingTimes: z.array(WorkingTime),
  contractType: ContractType.nullable(),
  offerType: OfferType,
  /** Epoch milliseconds. */
  publishedAt: z.number(),
});
export type VacancyDocument = z.infer<typeof VacancyDocument>;

export { VacancyStatus };
