/** Closed vocabularies shared by the API, queue payloads and the database. Values follow the Jobsuche API's terms. */
import { z } from 'zod';

export const WorkingTime = z.enum(['vollzeit', 'teilzeit', 'schicht_nacht_wochenende', 'heim_telearbeit', 'minijob']);
export type WorkingTime = z.infer<typeof WorkingTime>;

export const WORKING_TIME_LABEL: Record<WorkingTime, string> = {
  vollzeit: 'Vollzeit',
  teilzeit: 'Teilzeit',
  schicht_nacht_wochenende: 'Schicht/Nacht/Wochenende',
  heim_telearbeit: 'Heim-/Telearbeit',
  minijob: 'Minijob',
};

export const ContractType = z.enum(['befristet', 'unbefristet']);
export type ContractType = z.infer<typeof ContractType>;

export const OfferType = z.enum(['arbeit', 'ausbildung', 'selbstaendigkeit', 'praktikum']);
export type OfferType = z.infer<typeof OfferType>;

export const OFFER_TYPE_LABEL: Record<OfferType, string> = {
  arbeit: 'Arbeit',
  ausbildung: 'Ausbildung',
  selbstaendigkeit: 'Selbständigkeit',
  praktikum: 'Praktikum/Trainee',
};

/** Profillagen: distance of a customer to the labour market; who is matched: docs/matching.md, "Eligibility". */
export const ProfileGroup = z.enum(['market', 'activation', 'support', 'complex', 'not_available', 'integrated']);
export type ProfileGroup = z.infer<typeof ProfileGroup>;

export const PROFILE_GROUP_LABEL: Record<ProfileGroup, string> = {
  market: 'Marktprofil',
  activation: 'Aktivierungsprofil',
  support: 'Förder-/Unterstützungsprofil',
  complex: 'Komplexes Profil',
  not_available: 'Nicht verfügbar (§ 10 SGB II)',
  integrated: 'Integriert (Aufstocker)',
};

export const Role = z.enum(['employer', 'caseworker', 'branch_lead', 'admin']);
export type Role = z.infer<typeof Role>;

export const VacancyStatus = z.enum(['open', 'closed', 'filled']);
export type VacancyStatus = z.infer<typeof VacancyStatus>;

export const SourceType = z.enum([
  'ba_jobsuche',
  'jsonld',
  'personio',
  'feed',
  'browser',
  'employer',
  'recruitee',
  'greenhouse',
  'lever',
  'smartrecruiters',
  'workable',
  'exchange',
]);
export type SourceType = z.infer<typeof SourceType>;

/** Driving licence classes as in the EU licence (Fahrerlaubnisklassen), plus the forklift licence. */
export const Licence = z.enum([
  'AM',
  'A1',
  'A2',
  'A',
  'B',
  'BE',
  'C1',
  'C1E',
  'C',
  'CE',
  'D1',
  'D1E',
  'D',
  'DE',
  'L',
  'T',
  'STAPLER',
]);
export type Licence = z.infer<typeof Licence>;

/** CEFR levels for language requirements and skills. */
export const LanguageLevel = z.enum(['A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'native']);
export type LanguageLevel = z.infer<typeof LanguageLevel>;

export const LanguageRequirement = z.object({
  /** ISO 639-1 code, e.g. "de", "en". */
  language: z.string().regex(/^[a-z]{2}$/),
  level: LanguageLevel,
});
export type LanguageRequirement = z.infer<typeof LanguageRequirement>;

// Aborts at a malformed postcode, so a lookup refined onto it does not add "unknown" to "not five digits".
export const Plz = z.string().regex(/^\d{5}$/, { message: 'Postleitzahl muss fünfstellig sein', abort: true });
export const KldbCode5 = z.string().regex(/^\d{5}$/, 'KldB-Code muss fünfstellig sein');
