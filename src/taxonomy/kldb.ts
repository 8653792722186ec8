/**
 * KldB 2010 (Fassung 2020), the official German occupation classification, shipped as a compact file built
 * by `npm run build:reference-data` from the Bundesagentur für Arbeit's published structure.
 * Five levels: 1 Berufsbereich, 2 Berufshauptgruppe, 3 Berufsgruppe, 4 Berufsuntergruppe, 5 Berufsgattung.
 * The fifth digit of a Berufsgattung is its requirement level (1 Helfer … 4 Experte).
 */
import data from './kldb2010.json' with { type: 'json' };

export interface KldbEntry {
  code: string;
  level: 1 | 2 | 3 | 4 | 5;
  title: string;
  shortTitle: string;
  description: string;
  /** Level 5 only: occupation titles the BA assigns to this Berufsgattung ("Koch/Köchin", …). */
  occupations: string[];
  /** Level 5 only: titles explicitly excluded here, with the code they belong to instead. */
  excluded: Array<[title: string, code: string]>;
  /** Level 5 only: the typical activities (shortened). */
  activities: string;
}

export type RequirementLevel = 1 | 2 | 3 | 4;

export const REQUIREMENT_LEVEL_LABEL: Record<RequirementLevel, string> = {
  1: 'Helfer-/Anlerntätigkeiten',
  2: 'fachlich ausgerichtete Tätigkeiten',
  3: 'komplexe Spezialistentätigkeiten',
  4: 'hoch komplexe Tätigkeiten',
};

const byCode = new Map<string, KldbEntry>();
for (const raw of data as Array<Omit<KldbEntry, 'level'>>) {
  // The revision keeps the numbers of codes it dropped ("(weggefallen)", e.g. 81122, now 81772): no code to code to.
  if (raw.title === '(weggefallen)') continue;
  byCode.set(raw.code, {
    ...raw,
    level: raw.code.length as KldbEntry['level'],
    excluded: raw.excluded as Array<[string, string]>,
  });
}

export function kldbEntry(code: string): KldbEntry | undefined {
  return byCode.get(code);
}

export function isKldbCode(code: string): boolean {
  return byCode.has(code);
}

/** Title of a code, or undefined. */
export function kldbTitle(code: string): string | undefined {
  return byCode.get(code)?.title;
}

/** The 5-digit Berufsgattungen (level 5). */
export function kldbLeaves(): KldbEntry[] {
  return [...byCode.values()].filter((e) => e.level === 5);
}

/** Requirement level of a 5-digit code: its last digit. */
export function requirementLevel(code: string): RequirementLevel | undefined {
  if (code.length !== 5) return undefined;
  const level = Number(code[4]);
  return level >= 1 && level <= 4 ? (level as RequirementLevel) : undefined;
}

/**
 * Length of the shared prefix of two codes along the hierarchy (0–5). Codes at level 5 sharing 4 digits are in
 * the same Berufsuntergruppe but differ in requirement level or specialisation.
 */
export function sharedKldbDigits(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
