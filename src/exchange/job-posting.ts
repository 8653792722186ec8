/**
 * The exchange feed as schema.org JSON-LD: a `DataFeed` whose elements are `JobPosting`s. Any reader of schema.org
 * understands the postings; the facts schema.org has no term for (the Jobsuche's working times, contract and offer
 * type, in their exact vocabulary) travel under the `jb:` prefix, which another Jobbrücke reads back unchanged.
 */
import { WORKING_TIME_LABEL, type WorkingTime } from '../domain/enums.ts';
import { kldbTitle } from '../taxonomy/kldb.ts';
import { placesOf } from '../vacancies/vacancy.ts';
import type { ExchangePage, ExchangeVacancy } from './feed.ts';
import { redactContacts } from './redact.ts';

/** The prefix of the exchange's own terms and the names a reader looks for. */
export const EXCHANGE_NAMESPACE = 'urn:jobbruecke:austausch#';
export const EXCHANGE_TERMS = {
  workingTimes: 'jb:workingTimes',
  contractType: 'jb:contractType',
  offerType: 'jb:offerType',
  nextPage: 'jb:nextPage',
} as const;
/** `occupationalCategory.inCodeSet` of a KldB 2010 code. */
export const KLDB_CODE_SET = 'https://statistik.arbeitsagentur.de/DE/Navigation/Grundlagen/Klassifikationen/KldB2010';

export interface ExchangePublisher {
  /** Absolute origin (and path prefix) under which this installation is reached, without a trailing slash. */
  baseUrl: string;
  /** The job centre's name as readers should show it. */
  name: string;
}

/** The feed's paths below the base URL; the API mounts exactly these. */
export const EXCHANGE_PATHS = {
  jsonLd: '/austausch/stellen.jsonld',
  atom: '/austausch/stellen.atom',
} as const;

export const vacancyUri = (publisher: ExchangePublisher, id: string) => `${publisher.baseUrl}/austausch/stellen/${id}`;
/** Where the public reads one vacancy in full: the public API's detail. */
export const vacancyPage = (publisher: ExchangePublisher, id: string) => `${publisher.baseUrl}/api/v1/vacancies/${id}`;

const EMPLOYMENT_TYPE: Record<WorkingTime, string | undefined> = {
  vollzeit: 'FULL_TIME',
  teilzeit: 'PART_TIME',
  minijob: 'PART_TIME',
  schicht_nacht_wochenende: undefined,
  heim_telearbeit: undefined,
};

function employmentTypes(v: ExchangeVacancy): string[] {
  const types = new Set<string>();
  for (const time of v.content.workingTimes) {
    const type = EMPLOYMENT_TYPE[time];
    if (type) types.add(type);
  }
  if (v.content.contractType === 'befristet') types.add('TEMPORARY');
  if (v.content.offerType === 'praktikum') types.add('INTERN');
  if (v.content.offerType === 'selbstaendigkeit') types.add('CONTRACTOR');
  return [...types];
}

/** Every place of the vacancy, the main one first. */
function jobLocation(v: ExchangeVacancy): Record<string, unknown>[] {
  return placesOf(v.content).map(({ plz, place, lat, lon }) => ({
    '@type': 'Place',
    address: {
      '@type': 'PostalAddress',
      ...(plz ? { postalCode: plz } : {}),
      ...(place ? { addressLocality: place } : {}),
      addressCountry: 'DE',
    },
    ...(lat !== null && lon !== null ? { geo: { '@type': 'GeoCoordinates', latitude: lat, longitude: lon } } : {}),
  }));
}

function baseSalary(v: ExchangeVacancy): Record<string, unknown> | undefined {
  const salary = v.content.salary;
  if (!salary || (salary.min === undefined && salary.max === undefined)) return undefined;
  return {
    '@type': 'MonetaryAmount',
    currency: salary.currency,
    value: {
      '@type': 'QuantitativeValue',
      ...(salary.min !== undefined ? { minValue: salary.min } : {}),
      ...(salary.max !== undefined ? { maxValue: salary.max } : {}),
      unitText: salary.unit.toUpperCase(),
    },
  };
}

/** One vacancy as a JobPosting; no field of the order beyond its public content and the open positions. */
export function jobPostingOf(v: ExchangeVacancy, publisher: ExchangePublisher): Record<string, unknown> {
  const code = v.content.kldbCode;
  const salary = baseSalary(v);
  const types = employmentTypes(v);
  return {
    '@type': 'JobPosting',
    '@id': vacancyUri(publisher, v.id),
    identifier: { '@type': 'PropertyValue', propertyID: 'Auftragsnummer', value: v.reference },
    url: vacancyPage(publisher, v.id),
    title: redactContacts(v.content.title),
    description: redactContacts(v.content.description),
    datePosted: v.publishedAt.toISOString(),
    validThrough: v.validThrough.toISOString(),
    ...(v.content.employerName
      ? { hiringOrganization: { '@type': 'Organization', name: v.content.employerName } }
      : {}),
    jobLocation: jobLocation(v),
    ...(v.content.remote ? { jobLocationType: 'TELECOMMUTE' } : {}),
    ...(types.length > 0 ? { employmentType: types } : {}),
    workHours: v.content.workingTimes.map((t) => WORKING_TIME_LABEL[t]).join(', ') || undefined,
    totalJobOpenings: v.openPositions,
    ...(salary ? { baseSalary: salary } : {}),
    ...(code
      ? {
          occupationalCategory: {
            '@type': 'CategoryCode',
            codeValue: code,
            inCodeSet: KLDB_CODE_SET,
            ...(kldbTitle(code) ? { name: kldbTitle(code) } : {}),
          },
        }
      : {}),
    // Applicants go through the job centre, never straight to a person at the employer.
    directApply: false,
    applicationContact: {
      '@type': 'ContactPoint',
      contactType: 'Arbeitgeberservice',
      name: v.branchName ? `${publisher.name}, ${v.branchName}` : publisher.name,
      url: publisher.baseUrl,
    },
    [EXCHANGE_TERMS.workingTimes]: v.content.workingTimes,
    ...(v.content.contractType ? { [EXCHANGE_TERMS.contractType]: v.content.contractType } : {}),
    [EXCHANGE_TERMS.offerType]: v.content.offerType,
  };
}

/** The whole page: the feed's own description, its postings and the link to the next page. */
export function exchangeJsonLd(
  page: ExchangePage,
  publisher: ExchangePublisher,
  nextPageUrl: string | undefined,
): Record<string, unknown> {
  return {
    '@context': ['https://schema.org', { jb: EXCHANGE_NAMESPACE }],
    '@type': 'DataFeed',
    '@id': `${publisher.baseUrl}${EXCHANGE_PATHS.jsonLd}`,
    name: `Stellenaustausch: Arbeitgeberstellen von ${publisher.name}`,
    provider: { '@type': 'GovernmentOrganization', name: publisher.name, url: publisher.baseUrl },
    dateModified: page.lastModified.toISOString(),
    dataFeedElement: page.vacancies.map((v) => jobPostingOf(v, publisher)),
    ...(nextPageUrl ? { [EXCHANGE_TERMS.nextPage]: nextPageUrl } : {}),
  };
}
