/**
 * What an employer states when ordering (`POST /api/v1/employer/vacancies`), with the wire's snake_case names. A
 * public schema, apart from the internal vacancy shape: it says what an employer may set, nothing more (strict, so
 * a misspelt field is reported instead of dropped). Messages are German and name each bad field.
 */
import { z } from 'zod';
import { ContractType, LanguageRequirement, Licence, OfferType, Plz, WorkingTime } from '../domain/enums.ts';
import { lookupPlz } from '../geo/plz.ts';

export const ApplicationRouteKind = z.enum(['email', 'online', 'post', 'phone', 'in_person']);

const ContactPerson = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().email('keine gültige E-Mail-Adresse').max(300).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^[+\d][\d ()/-]{4,30}$/, 'keine gültige Telefonnummer')
      .optional(),
  })
  .strict();

const ApplicationRoute = z
  .object({
    kind: ApplicationRouteKind,
    /** E-mail address, URL, postal address or phone number, as the kind needs. */
    value: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .superRefine((route, issue) => {
    if (route.kind !== 'in_person' && !route.value) {
      issue.addIssue({ code: 'custom', path: ['value'], message: 'Für diesen Bewerbungsweg fehlt die Angabe' });
    }
    if (route.kind === 'email' && route.value && !z.email().safeParse(route.value).success) {
      issue.addIssue({ code: 'custom', path: ['value'], message: 'keine gültige E-Mail-Adresse' });
    }
    if (route.kind === 'online' && route.value && !/^https?:\/\/\S+$/.test(route.value)) {
      issue.addIssue({ code: 'custom', path: ['value'], message: 'keine gültige Internetadresse (https://…)' });
    }
  });

const Salary = z
  .object({
    min: z.number().nonnegative().optional(),
    max: z.number().nonnegative().optional(),
    currency: z.string().length(3).default('EUR'),
    unit: z.enum(['hour', 'month', 'year']).default('month'),
  })
  .strict()
  .refine((s) => s.min === undefined || s.max === undefined || s.min <= s.max, {
    message: 'Mindestgehalt über dem Höchstgehalt',
    path: ['min'],
  });

/** The fields without defaults: an update names only what changes, so it must not get defaults filled in. */
const Fields = {
  title: z.string().trim().min(1).max(500),
  description: z.string().trim().min(1).max(100_000),
  plz: Plz.refine((p) => lookupPlz(p) !== undefined, 'Unbekannte Postleitzahl'),
  street: z.string().trim().min(1).max(200).optional(),
  /** The place as the employer names it; from the postcode when absent. */
  place: z.string().trim().min(1).max(200).optional(),
  working_times: z.array(WorkingTime).min(1, 'Mindestens eine Arbeitszeit angeben').max(5),
  contract_type: ContractType,
  offer_type: OfferType,
  start_date: z.iso.date('Datum im Format JJJJ-MM-TT').optional(),
  number_of_positions: z.number().int().min(1).max(100),
  /** 1 Helfer, 2 Fachkraft, 3 Spezialist, 4 Experte (KldB's fifth digit). */
  requirement_level: z.number().int().min(1).max(4).optional(),
  skills: z.array(z.string().trim().min(1).max(100)).max(30),
  licences: z.array(Licence).max(17),
  languages: z.array(LanguageRequirement).max(10),
  salary: Salary.optional(),
  contact_person: ContactPerson.optional(),
  application_route: ApplicationRoute.optional(),
  /** true: a placement order (the job centre proposes candidates within 48 hours); false: publish only. */
  placement_order: z.boolean(),
};

export const OrderInput = z
  .object({
    ...Fields,
    offer_type: Fields.offer_type.default('arbeit'),
    number_of_positions: Fields.number_of_positions.default(1),
    skills: Fields.skills.default([]),
    licences: Fields.licences.default([]),
    languages: Fields.languages.default([]),
  })
  .strict();
export type OrderInput = z.infer<typeof OrderInput>;
export type OrderInputWire = z.input<typeof OrderInput>;

/**
 * An update names only what changes; `placement_order` may be switched on (the clock starts then) but not off: an
 * order that no longer needs candidates is withdrawn.
 */
export const OrderUpdate = z.object(Fields).partial().strict();
export type OrderUpdate = z.infer<typeof OrderUpdate>;
