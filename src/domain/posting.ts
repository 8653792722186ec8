/**
 * A raw posting is what a crawler (or the employer submission path) hands to ingest: the source's facts, lightly
 * structured, before normalisation. Every field a source may lack is optional; normalisation fills what it can.
 */
import { z } from 'zod';
import { ContractType, OfferType, WorkingTime } from './enums.ts';

export const PostingLocation = z.object({
  street: z.string().max(200).optional(),
  plz: z.string().max(10).optional(),
  city: z.string().max(200).optional(),
  region: z.string().max(200).optional(),
  country: z.string().max(100).optional(),
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
});
export type PostingLocation = z.infer<typeof PostingLocation>;

export const Salary = z.object({
  min: z.number().nonnegative().optional(),
  max: z.number().nonnegative().optional(),
  currency: z.string().length(3).default('EUR'),
  /** Period the amount refers to. */
  unit: z.enum(['hour', 'month', 'year']).default('year'),
});
export type Salary = z.infer<typeof Salary>;

export const RawPosting = z.object({
  /** Stable id of the posting within its source (reference number, GUID, URL). */
  externalId: z.string().min(1).max(500),
  url: z.string().url().max(2000).optional(),
  title: z.string().min(1).max(500),
  /** Plain text; crawlers strip HTML before handing it on. */
  description: z.string().max(100_000).default(''),
  employerName: z.string().max(300).optional(),
  locations: z.array(PostingLocation).max(50).default([]),
  /** Source's own working-time words ("FULL_TIME", "Teilzeit", …); normalisation maps them. */
  employmentTypes: z.array(z.string().max(100)).max(20).default([]),
  /** Facts a structured source states outright; they win over text heuristics. */
  workingTimes: z.array(WorkingTime).optional(),
  contractType: ContractType.optional(),
  offerType: OfferType.optional(),
  remote: z.boolean().optional(),
  salary: Salary.optional(),
  /** Occupation titles given by the source (e.g. BA `hauptberuf`, `alleBerufe`). */
  occupationHints: z.array(z.string().max(300)).max(20).default([]),
  /** A KldB code the source states (employer submissions coded by a caseworker). */
  kldbCode: z
    .string()
    .regex(/^\d{5}$/)
    .optional(),
  datePosted: z.string().max(40).optional(),
  validThrough: z.string().max(40).optional(),
  /** The original ad this posting re-lists (BA `externeURL`): links it to its origin. */
  originUrl: z.string().max(2000).optional(),
});
export type RawPosting = z.infer<typeof RawPosting>;
export type RawPostingInput = z.input<typeof RawPosting>;
