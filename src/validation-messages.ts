/**
 * German validation messages for every zod schema in the process. Users read these messages (problem+json `issues`,
 * CLI errors), and zod's defaults are English. zod's own German locale covers every issue kind; the few cases users
 * meet most get a plainer sentence here. Installed once, by importing `src/errors.ts`, which every boundary that
 * reports validation problems goes through.
 */
import { z } from 'zod';

const TYPE_NAMES: Record<string, string> = {
  string: 'Text',
  number: 'Zahl',
  int: 'ganze Zahl',
  boolean: 'true oder false',
  array: 'Liste',
  object: 'Objekt',
  date: 'Datum',
};

const german = z.locales.de();

/** Plainer German for the most frequent issues; everything else falls through to zod's German locale. */
function plainGerman(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'Pflichtangabe fehlt';
    const expected = TYPE_NAMES[String(issue.expected)];
    if (expected) return `Erwartet: ${expected}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) return 'darf nicht leer sein';
  if (issue.code === 'too_small' && (issue.origin === 'number' || issue.origin === 'int')) {
    return issue.inclusive ? `muss mindestens ${issue.minimum} sein` : `muss größer als ${issue.minimum} sein`;
  }
  if (issue.code === 'too_big' && (issue.origin === 'number' || issue.origin === 'int')) {
    return issue.inclusive ? `darf höchstens ${issue.maximum} sein` : `muss kleiner als ${issue.maximum} sein`;
  }
  if (issue.code === 'too_big' && issue.origin === 'string') return `höchstens ${issue.maximum} Zeichen`;
  if (issue.code === 'invalid_value' && issue.values.length > 0) {
    return `Erlaubt: ${issue.values.map(String).join(', ')}`;
  }
  // A pattern means nothing to a user; schemas that can say what is expected pass their own message.
  if (issue.code === 'invalid_format' && issue.format === 'regex') return 'hat nicht das erwartete Format';
  if (issue.code === 'unrecognized_keys') return `Unbekannte Angabe: ${issue.keys.join(', ')}`;
  return undefined;
}

export function useGermanValidationMessages(): void {
  z.config({
    ...german,
    localeError: (issue) => plainGerman(issue) ?? german.localeError?.(issue),
  });
}
