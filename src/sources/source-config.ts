/**
 * The `config` of the source types whose settings the registry checks when a source is added: the applicant-tracking
 * systems' public job APIs and the exchange feed of another job centre. The crawlers parse the same schemas, so a
 * source that was accepted here is read the same way there (one place for each rule). Older types keep their schemas
 * beside their crawlers.
 */
import { z } from 'zod';
import type { SourceType } from '../domain/enums.ts';

/** Where one company's public job listing is, per applicant-tracking system; `{company}` is the board's name there. */
export const ATS_ENDPOINTS = {
  recruitee: 'https://{company}.recruitee.com/api/offers/',
  greenhouse: 'https://boards-api.greenhouse.io/v1/boards/{company}/jobs',
  lever: 'https://api.lever.co/v0/postings/{company}',
  smartrecruiters: 'https://api.smartrecruiters.com/v1/companies/{company}/postings',
  workable: 'https://apply.workable.com/api/v1/widget/accounts/{company}',
} as const;
export type AtsType = keyof typeof ATS_ENDPOINTS;
export const ATS_TYPES = Object.keys(ATS_ENDPOINTS) as AtsType[];

export const isAtsType = (type: string): type is AtsType => Object.hasOwn(ATS_ENDPOINTS, type);

/** A board name as the systems allow it in their URLs: letters, digits, dot, dash, underscore. */
export const AtsCompany = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'Name des Stellenportals: nur Buchstaben, Ziffern, Punkt, - und _');

/** The public API address of one company's board. */
export function atsEndpoint(type: AtsType, company: string): string {
  return ATS_ENDPOINTS[type].replace('{company}', encodeURIComponent(AtsCompany.parse(company)));
}

const employerName = z.string().trim().min(1).max(300).optional();
/** Pages of a paged listing read per crawl; a listing that promises more is read no further and never complete. */
const maxPages = z.number().int().min(1).max(200).default(50);

/** Settings every ATS source takes. */
const AtsBase = z.object({
  /** The employer's name for postings whose payload names none (most boards name only the job). */
  employerName,
});

export const RecruiteeConfig = AtsBase.strict();
export const GreenhouseConfig = AtsBase.strict();
export const WorkableConfig = AtsBase.strict();
export const LeverConfig = AtsBase.extend({
  /** Lever pages by `skip` and `limit`. */
  pageSize: z.number().int().min(1).max(100).default(100),
  maxPages,
}).strict();
export const SmartRecruitersConfig = AtsBase.extend({
  /** SmartRecruiters pages by `offset` and `limit` (at most 100). */
  pageSize: z.number().int().min(1).max(100).default(100),
  maxPages,
  /** The listing carries no text: each posting's detail is read for its description and links. */
  details: z.boolean().default(true),
}).strict();

/** Another job centre's exchange feed (`GET /austausch/stellen.jsonld`), read page by page. */
export const ExchangeConfig = z
  .object({
    maxPages: z.number().int().min(1).max(1000).default(200),
  })
  .strict();

/** The schema of each type whose config the registry validates; the others are checked by their crawlers only. */
export const SOURCE_CONFIG: Partial<Record<SourceType, z.ZodType>> = {
  recruitee: RecruiteeConfig,
  greenhouse: GreenhouseConfig,
  lever: LeverConfig,
  smartrecruiters: SmartRecruitersConfig,
  workable: WorkableConfig,
  exchange: ExchangeConfig,
};
