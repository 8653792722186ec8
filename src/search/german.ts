/**
 * German text analysis for the embedded engine: folding, tokens, stop words, Snowball stemming and a cheap
 * compound split for occupation head words. Index and query go through the same functions, so whatever they
 * fold together matches.
 */
import { stemmer } from '@orama/stemmers/german';

/**
 * Lower case, ß → ss, umlauts and their transliterations (ä/ae → a …) to the plain vowel, other accents removed.
 * Kiosk keyboards and crawled feeds write "Kuechenhilfe" as often as "Küchenhilfe"; the stemmer drops umlauts
 * anyway, so folding both spellings to the plain vowel before stemming keeps them equal. "qu" keeps its "ue"
 * ("Quelle"); the few other words that lose a letter lose it on both sides.
 */
export function foldGerman(text: string): string {
  return text
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/ä/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/ü/g, 'u')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ae/g, 'a')
    .replace(/oe/g, 'o')
    .replace(/(?<!q)ue/g, 'u');
}

/** Folded words of a text: letters and digits, split at anything else ("Koch/Köchin", "m/w/d", "C1E"). */
export function words(text: string): string[] {
  return foldGerman(text).match(/[a-z0-9]+/g) ?? [];
}

/** Folded stop words: function words plus the gender marker of job titles ("(m/w/d)"). */
const STOP_WORDS = new Set(
  words(`aber als am an auch auf aus bei bis da dabei damit dann das dass dein dem den der des dich die dies
    diese diesem diesen dieser dir doch du durch ein eine einem einen einer eines er es fur gegen hat hier ich ihr
    ihre ihrem ihren ihrer im in ist ja jede jedem jeden jeder kann kein keine mit mich mir nach nicht noch nur ob
    oder ohne sehr sein seine sich sie sind so sowie uber um und uns unser unsere unserem unseren unserer unter
    vom von vor war wie wir wird werden zu zum zur zwischen m w d mwd wmd div`),
);

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** Snowball German stem of a folded word. Digits-only tokens ("70173") and licence codes stay as they are. */
export function stem(word: string): string {
  return /\d/.test(word) ? word : stemmer(word);
}

/**
 * Occupation head words that end many compounds ("Lagerhelfer", "Pflegefachkraft", "Küchenhilfe"). Indexing the
 * head as well lets "Helfer" find "Lagerhelfer" without a dictionary-based decompounder; the modifier side
 * ("Lager" → "Lagerhelfer") is covered by prefix search.
 */
const COMPOUND_HEADS = words(`helfer helferin hilfe fachkraft kraft fahrer fahrerin mitarbeiter mitarbeiterin leiter
  leiterin techniker mechaniker mechatroniker elektroniker elektriker monteur monteurin verkaufer verkauferin
  kaufmann kauffrau pfleger pflegerin arbeiter arbeiterin koch kochin berater beraterin assistent assistentin
  reiniger reinigerin kellner kellnerin maler tischler erzieher erzieherin ingenieur ingenieurin bearbeiter
  bearbeiterin sachbearbeiter sachbearbeiterin fachangestellte angestellte betreuer betreuerin lagerist
  disponent disponentin schweisser zusteller zustellerin kommissionierer`).sort((a, b) => b.length - a.length);

const MIN_MODIFIER_LENGTH = 3;

/**
 * What decides which terms a text yields. A persisted index (snapshot.ts) records it and is rebuilt when it differs;
 * bump the version when folding, tokens or stemming change in a way these lists do not show.
 */
export const ANALYSIS_RULES = ['analysis:1', [...STOP_WORDS].join(' '), COMPOUND_HEADS.join(' ')].join('\n');

/** The head of a compound word, or undefined: "lagerhelfer" → "helfer". */
export function compoundHead(word: string): string | undefined {
  for (const head of COMPOUND_HEADS) {
    if (word.length - head.length >= MIN_MODIFIER_LENGTH && word.endsWith(head)) return head;
  }
  return undefined;
}

interface AnalysedWord {
  term: string;
  head?: { word: string; term: string };
}

/**
 * Stemming and the compound check cost far more than a map lookup, and ad texts repeat the same few thousand words,
 * so results are cached; the cache is dropped when it grows past a bound instead of tracking recency.
 */
const analysed = new Map<string, AnalysedWord>();
const MAX_CACHED_WORDS = 200_000;

function analyseWord(word: string): AnalysedWord {
  let result = analysed.get(word);
  if (!result) {
    const head = compoundHead(word);
    result = head ? { term: stem(word), head: { word: head, term: stem(head) } } : { term: stem(word) };
    if (analysed.size >= MAX_CACHED_WORDS) analysed.clear();
    analysed.set(word, result);
  }
  return result;
}

/** Index terms of a text: stems of its non-stop words plus stems of compound heads, each with its folded word. */
export function analyse(text: string): Array<{ word: string; term: string }> {
  const out: Array<{ word: string; term: string }> = [];
  for (const word of words(text)) {
    if (STOP_WORDS.has(word)) continue;
    const { term, head } = analyseWord(word);
    out.push({ word, term });
    if (head) out.push(head);
  }
  return out;
}

/**
 * True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours
 * (Damerau–Levenshtein ≤ 1). Written out because the typo scan runs it over the whole vocabulary per query word.
 */
export function withinOneEdit(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === la || i === lb) return true;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
