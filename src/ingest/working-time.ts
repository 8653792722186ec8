/** Working time (Jobsuche terms), contract type and offer type from structured fields and wording. */
import type { ContractType, OfferType, WorkingTime } from '../domain/enums.ts';

/** schema.org `employmentType` values and German words sources put in that field. */
const EMPLOYMENT_TYPE_TIME: Record<string, WorkingTime> = {
  full_time: 'vollzeit',
  fulltime: 'vollzeit',
  vollzeit: 'vollzeit',
  part_time: 'teilzeit',
  parttime: 'teilzeit',
  teilzeit: 'teilzeit',
  minijob: 'minijob',
  geringfuegig: 'minijob',
  geringfügig: 'minijob',
  schicht: 'schicht_nacht_wochenende',
  homeoffice: 'heim_telearbeit',
  telearbeit: 'heim_telearbeit',
};

const TEXT_CUES: Array<[WorkingTime, RegExp]> = [
  ['vollzeit', /vollzeit|full[- ]?time/],
  ['teilzeit', /teilzeit|part[- ]?time/],
  ['minijob', /minijob|mini-job|geringfügig|\b(?:450|520|538|556)[ -]?(?:€|euro)|(?:€|euro)[ -]?basis/],
  ['schicht_nacht_wochenende', /schicht|nachtdienst|wochenend|\bnachtarbeit/],
  ['heim_telearbeit', /home[- ]?office|\bremote\b|mobiles arbeiten|telearbeit|heimarbeit/],
];

const ORDER: WorkingTime[] = ['vollzeit', 'teilzeit', 'schicht_nacht_wochenende', 'heim_telearbeit', 'minijob'];

function key(word: string): string {
  return word
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/**
 * Structured `workingTimes` win; otherwise the source's employment types and the wording of title and description
 * (`text`, lower case) are combined.
 */
export function workingTimes(
  stated: WorkingTime[] | undefined,
  employmentTypes: string[],
  text: string,
): WorkingTime[] {
  if (stated && stated.length > 0) return ORDER.filter((t) => stated.includes(t));
  const found = new Set<WorkingTime>();
  for (const type of employmentTypes) {
    const k = key(type);
    if (Object.hasOwn(EMPLOYMENT_TYPE_TIME, k)) found.add(EMPLOYMENT_TYPE_TIME[k] as WorkingTime);
  }
  for (const [time, cue] of TEXT_CUES) if (cue.test(text)) found.add(time);
  return ORDER.filter((t) => found.has(t));
}

/** "befristet auf 12 Monate" → befristet; "unbefristet"/"Festanstellung" → unbefristet; a fixed start term wins. */
export function contractType(
  stated: ContractType | undefined,
  employmentTypes: string[],
  text: string,
): ContractType | null {
  if (stated) return stated;
  if (employmentTypes.some((t) => key(t) === 'temporary' || key(t) === 'befristet')) return 'befristet';
  if (/(?<!un)befristet|zeitvertrag|elternzeitvertretung|saisonstelle/.test(text)) return 'befristet';
  if (/unbefristet|festanstellung|permanent/.test(text)) return 'unbefristet';
  return null;
}

const OFFER_CUES: Array<[OfferType, RegExp]> = [
  [
    'ausbildung',
    /^ausbildung|ausbildung (?:zum|zur|als|in)\b|ausbildungsplatz|\bazubi|auszubildende|\bduales? studium/,
  ],
  ['praktikum', /praktikum|praktikant|werkstudent|trainee|\binternship|\bintern\b/],
  ['selbstaendigkeit', /freiberuflich|selbst(?:st)?ändig|franchise|freelance|handelsvertreter/],
];

/**
 * Offer type from the source, its employment types, or the title. The description is not read: "abgeschlossene
 * Ausbildung" there is a requirement, not an apprenticeship on offer.
 */
export function offerType(stated: OfferType | undefined, employmentTypes: string[], title: string): OfferType {
  if (stated) return stated;
  const types = employmentTypes.map(key);
  if (types.includes('intern')) return 'praktikum';
  if (types.includes('contractor')) return 'selbstaendigkeit';
  const lower = title.toLowerCase();
  for (const [offer, cue] of OFFER_CUES) if (cue.test(lower)) return offer;
  return 'arbeit';
}

const REMOTE_CUE =
  /100\s?%\s?(?:remote|home[- ]?office)|(?:vollständig|komplett|fully|full)[- ]remote|remote[- ]?(?:job|stelle|position)|\(remote\)|\bremote\b.*\bdeutschlandweit/;

/** Fully remote work: stated by the source, or said plainly; a few home-office days are not remote. */
export function isRemote(stated: boolean | undefined, text: string): boolean {
  return stated ?? REMOTE_CUE.test(text);
}
