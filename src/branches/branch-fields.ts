/**
 * What makes a branch (Zweigstelle): a number people quote ("Zweigstelle 3"), a name, and the postcode of its office.
 * Which postcodes it serves for employers is its catchment (src/employers/catchment.ts).
 */
import { z } from 'zod';
import { Plz } from '../domain/enums.ts';
import { lookupPlz } from '../geo/plz.ts';

/** Branch numbers are quoted by people and typed on the command line: small positive whole numbers. */
export const MAX_BRANCH_ID = 999_999;

export const BranchId = z
  .number()
  .int('Zweigstellennummer muss eine ganze Zahl sein')
  .min(1, `Zweigstellennummer muss zwischen 1 und ${MAX_BRANCH_ID} liegen`)
  .max(MAX_BRANCH_ID, `Zweigstellennummer muss zwischen 1 und ${MAX_BRANCH_ID} liegen`);

/**
 * A name as people read it in lists, the feed and the workbench. NFC, so that "Süd" typed with a combining diaeresis
 * is the same name as "Süd" typed as one letter; runs of spaces collapse to one. Control and format characters would
 * break a list line or hide a difference between two names, so they are refused rather than dropped.
 */
export const BranchName = z
  .string()
  .transform((name) => name.normalize('NFC'))
  .pipe(z.string().regex(/^[^\p{C}]*$/u, 'Name darf keine Steuerzeichen enthalten (auch keinen Zeilenumbruch)'))
  .transform((name) => name.replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1, 'Name darf nicht leer sein').max(100, 'Name darf höchstens 100 Zeichen lang sein'));

/** The office's postcode: five digits and a postcode that exists. */
export const BranchPlz = Plz.refine((plz) => lookupPlz(plz) !== undefined, 'Unbekannte Postleitzahl');

/** Two names people would take for the same branch: equal apart from case. */
export function sameBranchName(a: string, b: string): boolean {
  return a.toLocaleLowerCase('de-DE') === b.toLocaleLowerCase('de-DE');
}
