/** Driving licence classes and the forklift licence an ad asks for. */
import { Licence } from '../domain/enums.ts';

/** In the order of the licence itself, so results read naturally. */
const CLASS_ORDER: readonly Licence[] = Licence.options;
const CLASSES = new Set<string>(CLASS_ORDER);

/** "Führerschein Klasse B", "Fahrerlaubnis CE", "FS Kl. B", "Führerscheinklassen C1/C1E", "Führerschein der Klassen B und C". */
const LICENCE_WITH_CLASSES =
  /(?:führerschein|fahrerlaubnis|\bfs)(?:klassen?)?\s*(?:der\s+)?(?:klassen?|kl\.?)?\s*((?:\b(?:am|a1|a2|a|b|be|c1e|c1|ce|c|d1e|d1|de|d|l|t)\b(?:\s*(?:[,/+&]|und|oder|bzw\.?)\s*)?)+)/g;
const CLASS_TOKEN = /\b(?:am|a1|a2|a|b|be|c1e|c1|ce|c|d1e|d1|de|d|l|t)\b/g;
/** "Klasse CE" written without the word Führerschein, as in "Fahrer (Klasse C/CE)". */
const CLASS_ALONE = /\bklassen?\s+((?:\b(?:b|be|c1e|c1|ce|c|d1|d|de)\b(?:\s*(?:[,/+&]|und|oder)\s*)?)+)/g;
const TRUCK_LICENCE = /\b(?:lkw|lastwagen)[- ]?(?:führerschein|fahrerlaubnis)/;
const CAR_LICENCE =
  /\bpkw[- ]?(?:führerschein|fahrerlaubnis)|(?<!(?:lkw|lastwagen)[- ]?)führerschein\s+(?:ist\s+)?(?:erforderlich|wünschenswert|von vorteil|zwingend)/;
const FORKLIFT =
  /(?:gabel)?stapler(?:schein|führerschein|fahrausweis|fahrerlaubnis)|flurförderzeug(?:schein|führerschein|fahrausweis)|staplerfahrerausweis/;

/**
 * Licences in lower-case text. "LKW-Führerschein" names class C (the least it can mean); a bare "Führerschein
 * erforderlich" names class B, the class employers mean when they do not say.
 */
export function findLicences(text: string): Licence[] {
  const found = new Set<string>();
  for (const pattern of [LICENCE_WITH_CLASSES, CLASS_ALONE]) {
    for (const match of text.matchAll(pattern)) {
      for (const token of (match[1] ?? '').matchAll(CLASS_TOKEN)) found.add(token[0].toUpperCase());
    }
  }
  if (TRUCK_LICENCE.test(text)) found.add('C');
  if (CAR_LICENCE.test(text)) found.add('B');
  if (FORKLIFT.test(text)) found.add('STAPLER');
  return CLASS_ORDER.filter((c) => CLASSES.has(c) && found.has(c));
}
