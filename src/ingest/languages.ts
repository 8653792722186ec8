/** Language requirements: language and CEFR level from wording such as "Deutsch B2" or "verhandlungssicheres Englisch". */
import type { LanguageLevel, LanguageRequirement } from '../domain/enums.ts';

const LANGUAGES: Record<string, string> = {
  deutsch: 'de',
  englisch: 'en',
  französisch: 'fr',
  spanisch: 'es',
  italienisch: 'it',
  türkisch: 'tr',
  russisch: 'ru',
  polnisch: 'pl',
  arabisch: 'ar',
  rumänisch: 'ro',
  ukrainisch: 'uk',
  kroatisch: 'hr',
  serbisch: 'sr',
  griechisch: 'el',
  portugiesisch: 'pt',
  niederländisch: 'nl',
  chinesisch: 'zh',
};

/** "Deutsch", "Deutschkenntnisse", "deutsche Sprache", "Englischkenntnisse"; not "deutschen Markt" or "Deutschland". */
const MENTION = new RegExp(
  `(?<!\\p{L})(${Object.keys(LANGUAGES).join('|')})(?:kenntnisse|e sprache|e sprachkenntnisse|es sprachniveau)?(?!\\p{L})`,
  'gu',
);

const CEFR = /(?<![\p{L}\d])([abc][12])(?![\p{L}\d])/u;

/** Wording → level, strongest first. */
const WORDING: Array<[LanguageLevel, RegExp]> = [
  ['native', /muttersprach/],
  ['C1', /verhandlungssicher|fließend|fliessend|exzellent|hervorragend/],
  ['B2', /sehr gut/],
  ['A2', /grundkenntnisse|basiskenntnisse|grundlegend/],
  ['B1', /\bgut|solide|kenntnisse/],
];

const RANK: LanguageLevel[] = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'native'];
/** Characters around a mention read for its level. */
const WINDOW = 40;

function levelIn(context: string): LanguageLevel | null {
  const cefr = context.match(CEFR);
  if (cefr?.[1]) return cefr[1].toUpperCase() as LanguageLevel;
  for (const [level, cue] of WORDING) if (cue.test(context)) return level;
  return null;
}

/**
 * Languages with levels from lower-case text. The level is read in a window around each mention that does not reach
 * into the next or previous mention, so "Deutsch B2 und Englisch C1" keeps both apart. A language mentioned without
 * any level wording is not a requirement ("deutschsprachiges Team"). Several mentions keep the highest level.
 */
export function findLanguages(text: string): LanguageRequirement[] {
  const mentions = [...text.matchAll(MENTION)];
  const best = new Map<string, LanguageLevel>();
  mentions.forEach((m, i) => {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    const prevEnd = i > 0 ? (mentions[i - 1]?.index ?? 0) + (mentions[i - 1]?.[0].length ?? 0) : 0;
    const nextStart = mentions[i + 1]?.index ?? text.length;
    const after = text.slice(end, Math.min(nextStart, end + WINDOW));
    const before = text.slice(Math.max(prevEnd, start - WINDOW), start);
    // The word itself carries "kenntnisse" in "Deutschkenntnisse".
    const level = levelIn(after) ?? levelIn(before) ?? (m[0].includes('kenntnisse') ? 'B1' : null);
    const language = LANGUAGES[m[1] ?? ''];
    if (!language || !level) return;
    const previous = best.get(language);
    if (!previous || RANK.indexOf(level) > RANK.indexOf(previous)) best.set(language, level);
  });
  return [...best].map(([language, level]) => ({ language, level }));
}
