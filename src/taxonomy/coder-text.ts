/**
 * Text handling shared by the occupation coder and deduplication: cleaning job-ad titles of gender markers and
 * ad noise, and splitting German text into lower-case words with gender forms reduced to one form.
 */

/**
 * "(m/w/d)", "(w/m/d)", "(m/f/d)", "(m|w|d)", "(m/w/div.)", "(mwd)", "(gn)", "(all genders)", "m/w/d" without
 * brackets, "(d/m/w)" …
 */
const GENDER_MARKER =
  /\(\s*(?:(?:[mwdfxi]|div\.?)(?:\s*[/|,-]\s*(?:[mwdfxi]|div\.?)){1,3}|mwd|gn\*?|all genders?|alle geschlechter|genderneutral)\s*\)|\b[mwdf](?:\s*\/\s*[mwdf]){2}\b|\*?\bgn\*/gi;

/** Female endings written with a separator: "Mitarbeiter*in", "Verkäufer:in", "Fahrer/-in", "Koch(in)", "Pfleger_innen". */
const GENDER_SUFFIX = /(?<=\p{L})(?:[*:_]|\/-?|\/ -|\()in(?:nen)?\)?(?!\p{L})/giu;

/** "Fachangestellte/r", "Medizinische(r)": the adjective ending of the male form. */
const ADJECTIVE_ENDING = /(?<=\p{L}e)(?:\/r|\(r\))(?!\p{L})/gu;

/** "Kaufmann/-frau", "Großküchenkoch/-köchin": the alternative after "/-" repeats the first form. */
const SLASH_DASH_VARIANT = /\/\s?-\s?\p{L}+/gu;

/** "Beamt(er/in)", "Postjungbot(e/in)": keep the first ending. */
const BRACKET_ENDING = /(?<=\p{L})\((\p{L}{1,3})\/\p{L}{1,5}\)/gu;

/**
 * Degrees written with dots ("B.Sc.", "M. A.", "LL.M.") would fall apart into letters: named as the level they
 * stand for. Single-word short forms ("staatl.", "Dipl.") are expanded per word (synonyms.ts, WORD_EXPANSIONS).
 */
const DEGREES: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?<!\p{L})b\.\s?(?:sc|a|eng|ed|mus|arch|f\.?\s?a|des)\.?(?!\p{L})/gu, ' bachelor '],
  [/(?<!\p{L})m\.\s?(?:sc|a|eng|ed|mus|arch|f\.?\s?a|des)\.?(?!\p{L})/gu, ' master '],
  [/(?<!\p{L})ll\.\s?b\.?(?!\p{L})/gu, ' bachelor '],
  [/(?<!\p{L})ll\.\s?m\.?(?!\p{L})/gu, ' master '],
];

const MARKED = /[(/*:_]/;

/**
 * The title as a caseworker or the coder wants to read it: gender markers removed, whitespace collapsed. The
 * displayed title stays as the source gave it; this is for coding, keys and comparisons.
 */
export function cleanTitle(title: string): string {
  return title
    .replace(GENDER_MARKER, ' ')
    .replace(/\(\s*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*[-–|,/]\s*$/, '')
    .trim();
}

/** Lower case, "ß" as "ss", typographic dashes as "-". Umlauts are kept: the stemmer folds them. */
export function foldCase(text: string): string {
  return text.toLowerCase().replace(/ß/g, 'ss').replace(/[‐-―]/g, '-');
}

/**
 * Words of a title in lower case with gender forms reduced ("Verkäufer:in" → "verkäufer"). A hyphenated compound
 * yields its parts and the joined word ("kfz-mechatroniker" → "kfz", "mechatroniker", "kfzmechatroniker"), so
 * both spellings meet the vocabulary. Capitals, Binnen-I ("LehrerIn") and all-caps titles fold to the same words.
 */
export function titleWords(text: string): string[] {
  // Every marker and gender form above needs one of these characters; most index titles have none of them, and
  // skipping the expressions halves the time to build the index.
  let folded = MARKED.test(text)
    ? foldCase(cleanTitle(text))
        .replace(BRACKET_ENDING, '$1')
        .replace(GENDER_SUFFIX, '')
        .replace(ADJECTIVE_ENDING, '')
        .replace(SLASH_DASH_VARIANT, '')
    : foldCase(text);
  if (folded.includes('.')) for (const [pattern, word] of DEGREES) folded = folded.replace(pattern, word);
  const words: string[] = [];
  for (const chunk of folded.split(/[^\p{L}\d-]+/u)) {
    if (!chunk) continue;
    const parts = chunk.split('-').filter((p) => p.length > 0);
    for (const p of parts) words.push(p);
    if (parts.length > 1) words.push(parts.join(''));
  }
  return words;
}
