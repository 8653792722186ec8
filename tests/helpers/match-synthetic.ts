/**
 * Deterministic synthetic customers and vacancies for tests, the benchmark and the evaluation set. No real person
 * or employer is in here; the occupation mix and places only imitate Region Stuttgart.
 */

import type { MatchVacancy } from '../../matchers/engine/types.ts';
import { mulberry32 } from '../../src/demo/random.ts';
import type { Customer, MatchProfile } from '../../src/domain/customer.ts';
import type { LanguageRequirement, Licence, ProfileGroup, WorkingTime } from '../../src/domain/enums.ts';
import { allPostcodes, type PlzEntry, regionStuttgartPostcodes } from '../../src/geo/plz.ts';
import { kldbLeaves } from '../../src/taxonomy/kldb.ts';

const DAY_MS = 86_400_000;

/** The project's one seeded PRNG, under the name the matcher's tests and benchmarks use. */
export const prng = mulberry32;

export type Rng = () => number;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function weighted<T>(rng: Rng, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r <= 0) return item;
  }
  return (items.at(-1) as readonly [T, number])[0];
}

/** Common target occupations of job-centre customers, with rough relative frequency. */
export const COMMON_CODES: ReadonlyArray<readonly [string, number]> = [
  ['51311', 12],
  ['51312', 5],
  ['52122', 5],
  ['52112', 2],
  ['54101', 10],
  ['54112', 2],
  ['29301', 5],
  ['29302', 4],
  ['63301', 4],
  ['63302', 2],
  ['62101', 6],
  ['62102', 6],
  ['71401', 3],
  ['71402', 5],
  ['72212', 2],
  ['81301', 3],
  ['81302', 2],
  ['82101', 5],
  ['82102', 3],
  ['25212', 2],
  ['26252', 2],
  ['24411', 3],
  ['24412', 2],
  ['43412', 1],
  ['43413', 1],
  ['83112', 2],
  ['53112', 2],
];

/** Skills by Berufshauptgruppe, shared arrays so a million vacancies do not hold a million copies. */
const SKILLS: Readonly<Record<string, readonly string[]>> = {
  '51': ['Kommissionierung', 'Gabelstapler', 'Warenannahme', 'SAP', 'Inventur'],
  '52': ['Ladungssicherung', 'Tourenplanung', 'Kundenkontakt', 'Fahrtenschreiber'],
  '54': ['Unterhaltsreinigung', 'Glasreinigung', 'Hygienevorschriften', 'Reinigungsmaschinen'],
  '29': ['HACCP', 'Großküche', 'À-la-carte', 'Vegetarische Küche', 'Kalkulation'],
  '63': ['Service', 'Kasse', 'Bankett', 'Barista'],
  '62': ['Kasse', 'Warenpräsentation', 'Kundenberatung', 'Inventur'],
  '71': ['MS Office', 'Korrespondenz', 'Terminplanung', 'DATEV', 'SAP'],
  '72': ['DATEV', 'Buchhaltung', 'Lohnabrechnung', 'SAP'],
  '81': ['Grundpflege', 'Wundversorgung', 'Dokumentation'],
  '82': ['Grundpflege', 'Demenzbetreuung', 'Dokumentation', 'Mobilisation'],
  '25': ['Diagnose', 'Wartung', 'Hochvolt', 'Reifenservice'],
  '26': ['Schaltschrankbau', 'SPS', 'Wartung', 'Elektroinstallation'],
  '24': ['Schweißen', 'CNC', 'Montage', 'Technisches Zeichnen'],
  '43': ['TypeScript', 'Java', 'SQL', 'Git', 'Scrum'],
  '83': ['Frühpädagogik', 'Elternarbeit', 'Sprachförderung'],
  '53': ['Objektschutz', 'Sachkunde §34a', 'Empfang'],
};
const GENERIC_SKILLS = ['Teamarbeit', 'MS Office', 'Kundenkontakt'];

function skillsFor(rng: Rng, code: string, max: number): string[] {
  const pool = SKILLS[code.slice(0, 2)] ?? GENERIC_SKILLS;
  const n = Math.floor(rng() * (max + 1));
  const out = new Set<string>();
  for (let i = 0; i < n; i++) out.add(pick(rng, pool));
  return [...out];
}

let regionCache: PlzEntry[] | undefined;
let allCache: PlzEntry[] | undefined;
let leafCodes: string[] | undefined;

function regionPlaces(): PlzEntry[] {
  regionCache ??= regionStuttgartPostcodes();
  return regionCache;
}

function allPlaces(): PlzEntry[] {
  allCache ??= allPostcodes().filter((e) => e.places.length > 0);
  return allCache;
}

/** A postcode anywhere in Germany, for customers outside the region (the synthetic ones all live in it). */
export function anyPlace(rng: Rng): PlzEntry {
  return pick(rng, allPlaces());
}

function anyCode(rng: Rng): string {
  leafCodes ??= kldbLeaves().map((e) => e.code);
  return pick(rng, leafCodes);
}

/** A related occupation: same Berufsgruppe (3 digits) at a neighbouring level, or another common code. */
function relatedCode(rng: Rng, code: string): string {
  const sameGroup = COMMON_CODES.map(([c]) => c).filter((c) => c !== code && c.slice(0, 3) === code.slice(0, 3));
  return sameGroup.length > 0 && rng() < 0.6 ? pick(rng, sameGroup) : weighted(rng, COMMON_CODES);
}

const PROFILE_GROUPS: ReadonlyArray<readonly [ProfileGroup, number]> = [
  ['market', 1541],
  ['activation', 1366],
  ['support', 4312],
  ['complex', 13530],
  ['not_available', 6878],
  ['integrated', 3263],
];

const CUSTOMER_TIMES: ReadonlyArray<readonly [WorkingTime[], number]> = [
  [['vollzeit', 'teilzeit', 'schicht_nacht_wochenende'], 35],
  [['vollzeit', 'teilzeit'], 25],
  [['teilzeit'], 15],
  [['teilzeit', 'minijob'], 10],
  [['vollzeit'], 10],
  [['teilzeit', 'heim_telearbeit'], 5],
];

const VACANCY_TIMES: ReadonlyArray<readonly [WorkingTime[], number]> = [
  [['vollzeit'], 45],
  [['teilzeit'], 15],
  [['vollzeit', 'teilzeit'], 15],
  [['schicht_nacht_wochenende'], 12],
  [['minijob'], 5],
  [['vollzeit', 'heim_telearbeit'], 8],
];

function customerLicences(rng: Rng, code: string): Licence[] {
  if (code.startsWith('521')) return rng() < 0.7 ? ['CE'] : ['C'];
  if (code.startsWith('513')) return rng() < 0.5 ? ['B', 'STAPLER'] : ['B'];
  return rng() < 0.55 ? ['B'] : [];
}

function customerLanguages(rng: Rng): LanguageRequirement[] {
  const de = weighted<LanguageRequirement['level']>(rng, [
    ['native', 55],
    ['C1', 10],
    ['B2', 15],
    ['B1', 12],
    ['A2', 8],
  ]);
  const langs: LanguageRequirement[] = [{ language: 'de', level: de }];
  if (rng() < 0.4) langs.push({ language: 'en', level: pick(rng, ['A2', 'B1', 'B2', 'C1'] as const) });
  if (rng() < 0.25) langs.push({ language: pick(rng, ['tr', 'ar', 'ru', 'uk', 'pl', 'it']), level: 'native' });
  return langs;
}

export interface SyntheticOptions {
  now: Date;
  /** Force a profile group (the benchmark wants exact counts). */
  profileGroup?: ProfileGroup;
}

export function syntheticProfile(rng: Rng, id: string, opts: SyntheticOptions): MatchProfile {
  const first = weighted(rng, COMMON_CODES);
  const targets = new Set([first]);
  const extra = rng() < 0.5 ? 0 : rng() < 0.7 ? 1 : 2;
  for (let i = 0; i < extra; i++) targets.add(relatedCode(rng, first));
  const home = pick(rng, regionPlaces());
  const now = opts.now.getTime();
  return {
    id,
    branchId: 1 + Math.floor(rng() * 14),
    profileGroup: opts.profileGroup ?? weighted(rng, PROFILE_GROUPS),
    targetKldbCodes: [...targets],
    qualifications: [],
    skills: skillsFor(rng, first, 4),
    licences: customerLicences(rng, first),
    languages: customerLanguages(rng),
    plz: home.plz,
    lat: home.lat,
    lon: home.lon,
    maxCommuteKm: rng() < 0.03 ? 500 : pick(rng, [10, 15, 20, 25, 30, 40, 50]),
    workingTimes: weighted(rng, CUSTOMER_TIMES),
    availableFrom: new Date(now + (rng() < 0.85 ? -rng() * 60 : rng() * 90) * DAY_MS),
    consent: rng() < 0.95,
    blockedUntil: rng() < 0.05 ? new Date(now + rng() * 30 * DAY_MS) : null,
  };
}

export function syntheticCustomer(rng: Rng, id: string, opts: SyntheticOptions): Customer {
  return {
    ...syntheticProfile(rng, id, opts),
    displayName: `Kunde ${id}`,
    protected: syntheticProtected(rng),
  };
}

export function syntheticProtected(rng: Rng): Customer['protected'] {
  return {
    gender: pick(rng, ['f', 'm', 'd', 'x', null] as const),
    birthYear: rng() < 0.9 ? 1955 + Math.floor(rng() * 50) : null,
    nationality: pick(rng, ['DEU', 'TUR', 'SYR', 'UKR', 'ITA', 'POL', null]),
    religion: pick(rng, ['rk', 'ev', 'islam', 'ohne', null]),
    severelyDisabled: pick(rng, [true, false, null]),
  };
}

export interface VacancyMix {
  /** Share of vacancies in Region Stuttgart; the rest spread over Germany. */
  regionShare: number;
}

export function syntheticVacancy(
  rng: Rng,
  id: string,
  now: Date,
  mix: VacancyMix = { regionShare: 0.3 },
): MatchVacancy {
  const code = rng() < 0.8 ? weighted(rng, COMMON_CODES) : anyCode(rng);
  const remote = rng() < 0.02;
  const place = pick(rng, rng() < mix.regionShare ? regionPlaces() : allPlaces());
  const t = now.getTime();
  const licences: Licence[] = code.startsWith('521')
    ? [rng() < 0.6 ? 'CE' : 'C']
    : code.startsWith('513') && rng() < 0.3
      ? ['STAPLER']
      : [];
  const languages: LanguageRequirement[] =
    rng() < 0.5 ? [{ language: 'de', level: pick(rng, ['A2', 'B1', 'B2', 'C1'] as const) }] : [];
  return {
    id,
    kldbCode: code,
    requirementLevel: Number(code[4]),
    lat: remote ? null : place.lat + (rng() - 0.5) * 0.02,
    lon: remote ? null : place.lon + (rng() - 0.5) * 0.02,
    remote,
    workingTimes: weighted(rng, VACANCY_TIMES),
    contractType: rng() < 0.6 ? 'unbefristet' : 'befristet',
    offerType: rng() < 0.92 ? 'arbeit' : 'ausbildung',
    licences,
    skills: skillsFor(rng, code, 3),
    languages,
    publishedAt: new Date(t - rng() * 60 * DAY_MS),
    validThrough: rng() < 0.7 ? new Date(t + (rng() * 95 - 5) * DAY_MS) : null,
    startDate: rng() < 0.3 ? new Date(t + rng() * 60 * DAY_MS) : null,
    employerPreferences:
      rng() < 0.2
        ? {
            skills: skillsFor(rng, code, 2),
            licences: rng() < 0.3 ? ['B'] : [],
            languages: [],
            minRequirementLevel: null,
          }
        : null,
  };
}

/** Stuttgart-Mitte; the fixed records below live here unless overridden. */
const STUTTGART = { plz: '70173', lat: 48.7784, lon: 9.18 };

/** A plain eligible market-profile customer (cook, full or part time, 30 km) for hand-written tests. */
export function fixedProfile(overrides: Partial<MatchProfile> = {}): MatchProfile {
  return {
    id: 'k1',
    branchId: 1,
    profileGroup: 'market',
    targetKldbCodes: ['29302'],
    qualifications: [],
    skills: ['HACCP'],
    licences: ['B'],
    languages: [{ language: 'de', level: 'B2' }],
    ...STUTTGART,
    maxCommuteKm: 30,
    workingTimes: ['vollzeit', 'teilzeit'],
    availableFrom: new Date('2026-01-01T00:00:00Z'),
    consent: true,
    blockedUntil: null,
    ...overrides,
  };
}

/** A cook vacancy in Stuttgart-Mitte published the day before `2026-03-01`. */
export function fixedVacancy(overrides: Partial<MatchVacancy> = {}): MatchVacancy {
  return {
    id: 'v1',
    kldbCode: '29302',
    requirementLevel: 2,
    lat: STUTTGART.lat,
    lon: STUTTGART.lon,
    remote: false,
    workingTimes: ['vollzeit'],
    contractType: 'unbefristet',
    offerType: 'arbeit',
    licences: [],
    skills: [],
    languages: [],
    publishedAt: new Date('2026-02-28T08:00:00Z'),
    validThrough: null,
    startDate: null,
    employerPreferences: null,
    ...overrides,
  };
}
