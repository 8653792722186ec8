/**
 * Employer and place from a posting's text, for feeds that have no fields for them and write "Arbeitgeber: …" and
 * "Ort: 01234 Stadt" into the description instead. A source may configure its own patterns (one capture group
 * each); the labelled lines below and a postcode-and-town detector apply to every such feed. A postcode counts only
 * when the PLZ data knows it, so an order number or a salary figure is not taken for a place.
 */
import type { PostingLocation } from '../domain/posting.ts';
import { lookupPlz } from '../geo/plz.ts';

export interface TextPatterns {
  /** Regular expressions whose first capture group is the employer's name. */
  employer?: readonly RegExp[];
  /** Regular expressions whose first capture group is a place ("70173 Stuttgart" or "Stuttgart"). */
  place?: readonly RegExp[];
}

const LINE_END = String.raw`([^\n|•;]{2,120})`;
const EMPLOYER_LABELS: readonly RegExp[] = [
  new RegExp(
    String.raw`(?:^|\n)[ \t]*(?:Arbeitgeber(?:in)?|Unternehmen|Firma|Betrieb|Employer|Company)[ \t]*:[ \t]*${LINE_END}`,
    'i',
  ),
];
const PLACE_LABELS: readonly RegExp[] = [
  new RegExp(
    String.raw`(?:^|\n)[ \t]*(?:Ort|Arbeitsort|Einsatzort|Dienstort|Standort|Arbeitsplatz|Location)[ \t]*:[ \t]*${LINE_END}`,
    'i',
  ),
];
/** "70173 Stuttgart", "01067 Dresden-Neustadt", "72764 Reutlingen am Neckar" anywhere in the text. */
const POSTCODE_TOWN =
  /(?<![\d.,])(\d{5})[ \t]+(\p{Lu}[\p{L}.'-]+(?:[ \t](?:am|an der|im|in|ob der|bei|vor der)[ \t]\p{Lu}[\p{L}.'-]+)?)/gu;

function firstGroup(text: string, patterns: readonly RegExp[]): string | undefined {
  for (const pattern of patterns) {
    const value = text.match(pattern)?.[1]?.replace(/\s+/g, ' ').trim();
    if (value) return value;
  }
  return undefined;
}

/** The employer's name a text states on a labelled line, or undefined. */
export function employerFromText(text: string, patterns: TextPatterns = {}): string | undefined {
  const name = firstGroup(text, [...(patterns.employer ?? []), ...EMPLOYER_LABELS]);
  // A sentence is not a name: "Unternehmen: Wir sind ein familiengeführtes …".
  return name && name.split(' ').length <= 8 ? name.replace(/[.,:]+$/, '') : undefined;
}

function placeLocation(value: string): PostingLocation | undefined {
  const match = /(?<!\d)(\d{5})(?!\d)\s*(.*)$/.exec(value);
  if (match && lookupPlz(match[1] as string)) {
    const city = (match[2] as string).replace(/[.,;]+$/, '').trim();
    return { plz: match[1] as string, ...(city ? { city } : {}) };
  }
  const city = value.replace(/[.,;]+$/, '').trim();
  return city && city.split(' ').length <= 5 ? { city } : undefined;
}

/**
 * The places a text states: configured and labelled lines first; failing those, every known postcode followed by a
 * town name. At most `max` places.
 */
export function placesFromText(text: string, patterns: TextPatterns = {}, max = 10): PostingLocation[] {
  const labelled = firstGroup(text, [...(patterns.place ?? []), ...PLACE_LABELS]);
  if (labelled) {
    // "Ort: Stuttgart, Esslingen und 71032 Böblingen" names several.
    const parts = labelled.split(/\s*(?:,|\/|\bund\b|\boder\b)\s*/).filter(Boolean);
    const found = parts.map(placeLocation).filter((l) => l !== undefined);
    if (found.length) return found.slice(0, max);
  }
  const out: PostingLocation[] = [];
  const seen = new Set<string>();
  for (const match of text.matchAll(POSTCODE_TOWN)) {
    const plz = match[1] as string;
    if (seen.has(plz) || !lookupPlz(plz)) continue;
    seen.add(plz);
    out.push({ plz, city: match[2] as string });
    if (out.length >= max) break;
  }
  return out;
}

/** Compiles configured patterns; a pattern that is not a valid regular expression is reported by its index. */
export function compilePatterns(sources: readonly string[]): RegExp[] {
  return sources.map((source) => new RegExp(source, 'iu'));
}
