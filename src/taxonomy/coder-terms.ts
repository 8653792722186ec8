/**
 * German word → index terms for the occupation coder: stemming, female forms reduced to the male form the
 * classification lists first, short forms expanded, and compounds split against the classification's vocabulary
 * ("lagerlogistik" → "lager" + "logistik"). The vocabulary is passed in so this module stays free of data.
 */
// The Snowball German stemmer, the same one the search engine uses.
import { stemmer } from '@orama/stemmers/german';
import { NOISE_WORDS, WORD_EXPANSIONS } from './synonyms.ts';

/** A term with its weight: 1 for a whole word, less for a part of a compound. */
type Term = readonly [term: string, weight: number];

const COMPOUND_PART_WEIGHT = 0.5;
const MIN_HEAD = 4;
const MIN_MODIFIER = 3;
const CACHE_LIMIT = 100_000;

const stemCache = new Map<string, string>();

/**
 * Snowball stem with umlaut spellings folded ("verkaeufer" and "verkäufer" → "verkauf"): the stemmer removes
 * umlaut dots itself, so folding "ae/oe/ue" afterwards makes the two spellings meet.
 */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stemmer(word).replace(/ae/g, 'a').replace(/oe/g, 'o').replace(/ue/g, 'u');
    if (stemCache.size >= CACHE_LIMIT) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

export class TermMaker {
  private readonly cache = new Map<string, Term[]>();

  /** @param vocabulary stems of whole words in the classification; compounds are split against it. */
  constructor(private readonly vocabulary: ReadonlySet<string>) {}

  /** Terms of one lower-case word; noise words give none. */
  terms(word: string): Term[] {
    let cached = this.cache.get(word);
    if (cached === undefined) {
      cached = this.build(word);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, cached);
    }
    return cached;
  }

  /** Whole-word stem after gender and short-form handling; for keys that compare titles. */
  baseStems(word: string): string[] {
    if (NOISE_WORDS.has(word)) return [];
    return (WORD_EXPANSIONS.get(word) ?? [word]).map((w) => this.maleStem(w));
  }

  /** Terms of a known stem: the stem and its compound parts. */
  stemTerms(s: string): Term[] {
    const out = new Map<string, number>([[s, 1]]);
    for (const part of this.split(s, 2)) if (!out.has(part)) out.set(part, COMPOUND_PART_WEIGHT);
    return [...out];
  }

  private build(word: string): Term[] {
    return this.baseStems(word).flatMap((s) => this.stemTerms(s));
  }

  /** "verkäuferin" → "verkauf", "köchinnen" → "koch", "kauffrau" → "kaufmann"; only when the result is known. */
  private maleStem(word: string): string {
    const w = word.replace(/(kauf|fach)frau$/, '$1mann');
    const base = w.endsWith('innen') ? w.slice(0, -5) : w.endsWith('in') && w.length > 5 ? w.slice(0, -2) : null;
    if (base !== null) {
      const s = stem(base);
      if (this.vocabulary.has(s)) return s;
    }
    return stem(w);
  }

  /** Modifier + head where the head is a known word and the modifier (maybe with a linking "s"/"n") is too. */
  private split(s: string, depth: number): string[] {
    if (depth === 0 || s.length < MIN_HEAD + MIN_MODIFIER) return [];
    for (let i = MIN_MODIFIER; i <= s.length - MIN_HEAD; i++) {
      const head = s.slice(i);
      if (!this.vocabulary.has(head)) continue;
      const modifier = this.knownModifier(s.slice(0, i));
      if (modifier !== null)
        return [modifier, head, ...this.split(modifier, depth - 1), ...this.split(head, depth - 1)];
    }
    return [];
  }

  private knownModifier(m: string): string | null {
    for (const candidate of [m, stem(m), m.replace(/(?:s|n|en|es)$/, '')]) {
      if (candidate.length >= MIN_MODIFIER && this.vocabulary.has(candidate)) return candidate;
    }
    return null;
  }
}
