/**
 * Hard constraints between one customer and one vacancy. A pair failing any of them is never suggested; each
 * constraint carries a German text for the caseworker both when it passes and when it fails ("warum nicht?").
 */
import type { MatchProfile } from '../../src/domain/customer.ts';
import { distanceKm } from '../../src/geo/plz.ts';
import { sharedKldbDigits } from '../../src/taxonomy/kldb.ts';
import { heldLevel, languageRank, profileFacts } from './facts.ts';
import {
  formatDate,
  formatKm,
  languageLabel,
  languageName,
  levelName,
  licenceLabel,
  workingTimesLabel,
} from './labels.ts';
import type { MatchRequest, MatchVacancy, Reason } from './types.ts';
import { proposalKey } from './types.ts';
import { AVAILABILITY_WINDOW_DAYS, MIN_SHARED_KLDB_DIGITS } from './weights.ts';

const DAY_MS = 86_400_000;

export interface PairContext {
  profile: MatchProfile;
  vacancy: MatchVacancy;
  /** Epoch ms. */
  now: number;
  /** Null for remote vacancies. */
  distanceKm: number | null;
  existingProposals: ReadonlySet<string> | undefined;
}

export function isRemote(vacancy: MatchVacancy): boolean {
  return vacancy.remote || vacancy.lat === null || vacancy.lon === null;
}

/** Commute distance to the vacancy's nearest place, null for remote vacancies. */
export function commuteKm(profile: { lat: number; lon: number }, vacancy: MatchVacancy): number | null {
  if (isRemote(vacancy)) return null;
  let km = distanceKm(profile, { lat: vacancy.lat as number, lon: vacancy.lon as number });
  for (const place of vacancy.places ?? []) km = Math.min(km, distanceKm(profile, place));
  return km;
}

/** `distance` may be passed when the caller has computed it already (the index does, to filter). */
export function pairContext(
  profile: MatchProfile,
  vacancy: MatchVacancy,
  req: MatchRequest,
  distance: number | null = commuteKm(profile, vacancy),
): PairContext {
  return { profile, vacancy, now: req.now.getTime(), distanceKm: distance, existingProposals: req.existingProposals };
}

interface Constraint {
  code: string;
  passes(ctx: PairContext): boolean;
  passText(ctx: PairContext): string;
  failText(ctx: PairContext): string;
}

/** Latest date the customer must be available: the start date, or now + window when there is none (or it is past). */
export function availabilityDeadline(vacancy: MatchVacancy, now: number): number {
  const start = vacancy.startDate?.getTime();
  return start !== undefined && start > now ? start : now + AVAILABILITY_WINDOW_DAYS * DAY_MS;
}

export const CONSTRAINTS: readonly Constraint[] = [
  {
    code: 'vacancy_valid',
    passes: (c) => c.vacancy.validThrough === null || c.vacancy.validThrough.getTime() >= c.now,
    passText: (c) =>
      c.vacancy.validThrough ? `Stelle gültig bis ${formatDate(c.vacancy.validThrough)}` : 'Stelle ohne Ablaufdatum',
    failText: (c) => `Stellenangebot abgelaufen am ${formatDate(c.vacancy.validThrough as Date)}`,
  },
  {
    code: 'occupation_field',
    passes: (c) =>
      c.profile.targetKldbCodes.some((t) => sharedKldbDigits(t, c.vacancy.kldbCode) >= MIN_SHARED_KLDB_DIGITS),
    passText: (c) => `Berufshauptgruppe ${c.vacancy.kldbCode.slice(0, 2)} gehört zu den Zielberufen`,
    failText: (c) =>
      `anderes Berufsfeld: Stelle ${c.vacancy.kldbCode}, Zielberufe ${c.profile.targetKldbCodes.join(', ')}`,
  },
  {
    code: 'working_time',
    passes: (c) => {
      const accepted = profileFacts(c.profile).workingTimes;
      return c.vacancy.workingTimes.some((t) => accepted.has(t));
    },
    passText: (c) => {
      const accepted = profileFacts(c.profile).workingTimes;
      return `Arbeitszeit passt: ${workingTimesLabel(c.vacancy.workingTimes.filter((t) => accepted.has(t)))}`;
    },
    failText: (c) =>
      `Arbeitszeit passt nicht: Stelle ${workingTimesLabel(c.vacancy.workingTimes)}, möglich ist nur ${workingTimesLabel(c.profile.workingTimes)}`,
  },
  {
    code: 'commute',
    passes: (c) => c.distanceKm === null || c.distanceKm <= c.profile.maxCommuteKm,
    passText: (c) =>
      c.distanceKm === null
        ? 'Heim-/Telearbeit, kein Pendelweg'
        : `Pendelweg ${formatKm(c.distanceKm)} (höchstens ${formatKm(c.profile.maxCommuteKm)})`,
    failText: (c) =>
      `Pendelweg ${formatKm(c.distanceKm as number)} über dem Höchstwert von ${formatKm(c.profile.maxCommuteKm)}`,
  },
  {
    code: 'licences',
    passes: (c) => {
      const held = profileFacts(c.profile).licences;
      return c.vacancy.licences.every((l) => held.has(l));
    },
    passText: (c) =>
      c.vacancy.licences.length === 0
        ? 'kein Führerschein gefordert'
        : c.vacancy.licences.map((l) => `${licenceLabel(l)} vorhanden`).join(', '),
    failText: (c) => {
      const held = profileFacts(c.profile).licences;
      return c.vacancy.licences
        .filter((l) => !held.has(l))
        .map((l) => `${licenceLabel(l)} gefordert, fehlt`)
        .join(', ');
    },
  },
  {
    code: 'languages',
    passes: (c) => {
      const facts = profileFacts(c.profile);
      return c.vacancy.languages.every((req) => {
        const held = heldLevel(facts, req.language);
        return held !== undefined && languageRank(held) >= languageRank(req.level);
      });
    },
    passText: (c) => {
      const facts = profileFacts(c.profile);
      if (c.vacancy.languages.length === 0) return 'keine Sprachanforderung';
      return c.vacancy.languages
        .map(
          (req) =>
            `${languageName(req.language)} ${levelName(heldLevel(facts, req.language) ?? req.level)} erfüllt (gefordert ${levelName(req.level)})`,
        )
        .join(', ');
    },
    failText: (c) => {
      const facts = profileFacts(c.profile);
      return c.vacancy.languages
        .filter((req) => {
          const held = heldLevel(facts, req.language);
          return held === undefined || languageRank(held) < languageRank(req.level);
        })
        .map((req) => {
          const held = heldLevel(facts, req.language);
          return `${languageLabel(req)} gefordert, ${held ? `vorhanden ${levelName(held)}` : 'nicht vorhanden'}`;
        })
        .join(', ');
    },
  },
  {
    code: 'availability',
    passes: (c) => c.profile.availableFrom.getTime() <= availabilityDeadline(c.vacancy, c.now),
    passText: (c) => `verfügbar ab ${formatDate(Math.max(c.profile.availableFrom.getTime(), c.now))}`,
    failText: (c) =>
      c.vacancy.startDate && c.vacancy.startDate.getTime() > c.now
        ? `erst ab ${formatDate(c.profile.availableFrom)} verfügbar, Stellenantritt ${formatDate(c.vacancy.startDate)}`
        : `erst ab ${formatDate(c.profile.availableFrom)} verfügbar, später als ${AVAILABILITY_WINDOW_DAYS} Tage`,
  },
  {
    code: 'not_yet_proposed',
    passes: (c) => !c.existingProposals?.has(proposalKey(c.profile.id, c.vacancy.id)),
    passText: () => 'noch nicht für diese Stelle vorgeschlagen',
    failText: () => 'bereits für diese Stelle vorgeschlagen oder abgelehnt',
  },
];

export function passesConstraints(ctx: PairContext): boolean {
  for (const constraint of CONSTRAINTS) if (!constraint.passes(ctx)) return false;
  return true;
}

export function constraintReasons(ctx: PairContext): { passed: Reason[]; failed: Reason[] } {
  const passed: Reason[] = [];
  const failed: Reason[] = [];
  for (const constraint of CONSTRAINTS) {
    if (constraint.passes(ctx)) passed.push({ code: constraint.code, text: constraint.passText(ctx) });
    else failed.push({ code: constraint.code, text: constraint.failText(ctx) });
  }
  return { passed, failed };
}
