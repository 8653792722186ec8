/**
 * Deterministic, obviously synthetic customers ("Kunde 00042") in the six profile groups with the counts from the
 * job centre's concept (PROFILE_GROUP_COUNTS). Occupations follow the demo vacancies' occupation mix so matches exist.
 */
import type { Customer } from '../domain/customer.ts';
import type { LanguageRequirement, Licence, ProfileGroup, WorkingTime } from '../domain/enums.ts';
import { kldbEntry } from '../taxonomy/kldb.ts';
import { stuttgartPostcodes } from './branches.ts';
import { createRandom, deterministicUuid } from './random.ts';

/** Profile group sizes from the concept (section on Profillagen). */
export const PROFILE_GROUP_COUNTS: Record<ProfileGroup, number> = {
  market: 1541,
  activation: 1366,
  support: 4312,
  complex: 13530,
  not_available: 6878,
  integrated: 3263,
};

export const CUSTOMER_ID_NAMESPACE = 2;

const SKILLS_BY_AREA: Record<string, string[]> = {
  '5': ['Kommissionierung', 'Lagerverwaltung', 'Warenannahme', 'Tourenplanung', 'Scannerbedienung'],
  '8': ['Grundpflege', 'Pflegedokumentation', 'Hauswirtschaft', 'Erste Hilfe', 'Betreuung'],
  '6': ['Kassensysteme', 'Kundenberatung', 'Warenpräsentation', 'Service', 'HACCP'],
  '2': ['CNC', 'Schweißen', 'Montage', 'Qualitätskontrolle', 'SPS', 'Elektroinstallation'],
  '7': ['MS Office', 'Excel', 'SAP', 'Buchhaltung', 'Telefonservice', 'DATEV'],
  '4': ['Java', 'SQL', 'Netzwerktechnik', 'IT-Support', 'Linux'],
};

function skillsFor(code: string, random: ReturnType<typeof createRandom>): string[] {
  const pool = SKILLS_BY_AREA[code[0] ?? ''] ?? ['MS Office', 'Teamarbeit'];
  return pool.filter(() => random.chance(0.45));
}

function licencesFor(code: string, random: ReturnType<typeof createRandom>): Licence[] {
  const licences: Licence[] = [];
  if (random.chance(0.45)) licences.push('B');
  if (code.startsWith('521') || random.chance(0.03)) licences.push('B', 'C', 'CE');
  if (code.startsWith('513') ? random.chance(0.6) : random.chance(0.06)) licences.push('STAPLER');
  return [...new Set(licences)];
}

function languagesFor(random: ReturnType<typeof createRandom>): LanguageRequirement[] {
  const german = random.weighted(
    [
      ['native', 55],
      ['C1', 12],
      ['B2', 15],
      ['B1', 12],
      ['A2', 6],
    ] as const,
    ([, w]) => w,
  )[0];
  const languages: LanguageRequirement[] = [{ language: 'de', level: german }];
  if (random.chance(0.35)) languages.push({ language: 'en', level: random.pick(['A2', 'B1', 'B2', 'C1'] as const) });
  if (german !== 'native' && random.chance(0.5)) {
    languages.push({
      language: random.pick(['tr', 'ar', 'ru', 'uk', 'it', 'el', 'hr', 'ro', 'pl'] as const),
      level: 'native',
    });
  }
  return languages;
}

function workingTimesFor(group: ProfileGroup, random: ReturnType<typeof createRandom>): WorkingTime[] {
  if (random.chance(0.22)) return ['teilzeit', 'minijob'];
  const times: WorkingTime[] = ['vollzeit', 'teilzeit'];
  if (random.chance(0.5)) times.push('schicht_nacht_wochenende');
  if (random.chance(0.15)) times.push('heim_telearbeit');
  if (group === 'integrated' || random.chance(0.2)) times.push('minijob');
  return times;
}

/** Moves the requirement level of a code to a sibling that exists in the classification (customers vary). */
function withLevel(code: string, level: number): string {
  const candidate = `${code.slice(0, 4)}${level}`;
  return kldbEntry(candidate) ? candidate : code;
}

export function generateCustomers(
  occupationWeights: Array<[code: string, weight: number]>,
  branchOfPlz: (plz: string) => number,
  now: Date,
  seed = 20261122,
): Customer[] {
  const random = createRandom(seed);
  const postcodes = stuttgartPostcodes();
  const customers: Customer[] = [];
  let n = 0;
  for (const [group, count] of Object.entries(PROFILE_GROUP_COUNTS) as Array<[ProfileGroup, number]>) {
    for (let i = 0; i < count; i++) {
      n += 1;
      const primary = random.weighted(occupationWeights, ([, w]) => w)[0];
      const targets = [primary];
      // Many customers also accept the helper level of their occupation, or a second field.
      if (random.chance(0.4)) targets.push(withLevel(primary, 1));
      if (random.chance(0.3)) targets.push(random.weighted(occupationWeights, ([, w]) => w)[0]);
      const pc = random.pick(postcodes);
      const available = new Date(now.getTime() + random.int(-60, 45) * 86_400_000);
      customers.push({
        id: deterministicUuid(CUSTOMER_ID_NAMESPACE, n),
        displayName: `Kunde ${String(n).padStart(5, '0')} (Demo)`,
        branchId: branchOfPlz(pc.plz),
        profileGroup: group,
        targetKldbCodes: [...new Set(targets)],
        qualifications: random.chance(0.55) ? [`Berufsabschluss ${kldbEntry(primary)?.shortTitle ?? primary}`] : [],
        skills: skillsFor(primary, random),
        licences: licencesFor(primary, random),
        languages: languagesFor(random),
        plz: pc.plz,
        lat: pc.lat,
        lon: pc.lon,
        maxCommuteKm: random.pick([10, 15, 20, 25, 30, 40]),
        workingTimes: workingTimesFor(group, random),
        availableFrom: new Date(available.toISOString().slice(0, 10)),
        consent: random.chance(0.95),
        blockedUntil: random.chance(0.03) ? new Date(now.getTime() + 14 * 86_400_000) : null,
        protected: {
          gender: random.pick(['f', 'm', 'd', 'x'] as const),
          birthYear: random.int(1962, 2007),
          nationality: random.pick(['DEU', 'DEU', 'DEU', 'TUR', 'ITA', 'UKR', 'SYR', 'HRV', 'GRC', 'ROU']),
          religion: null,
          severelyDisabled: random.chance(0.06),
        },
      });
    }
  }
  return customers;
}
