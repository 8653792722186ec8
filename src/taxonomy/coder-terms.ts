/**
 * German word → index terms for the occupation coder: stemming, female forms reduced to the male form the
 * classification lists first, short forms and English words expanded, and compounds split against the
 * classification's vocabulary ("lagerlogistik" → "lager" + "logistik"). The vocabulary is passed in so this module
 * stays free of data.
 */
// The Snowball German stemmer, the same one the search engine uses.
import { stemmer } from '@orama/stemmers/german';
import { NOISE_WORDS, QUALIFIER_WORDS, WORD_EXPANSIONS } from './synonyms.ts';

/** A term with its weight: 1 for a whole word, less for a part of a compound or a qualifier. */
export type Term = readonly [term: string, weight: number];

/**
 * Weights of a compound's parts. The head (last part) names what the person is ("Lager|helfer" is a helper), the
 * front the field; which of the two decides the code varies ("Werbekaufmann" is coded by its field,
 * "Pferdemetzger" by its head). Equal weights did best on held-out official titles (0.6/0.4 and 0.7/0.3 lost 1–2
 * points, docs/coding-and-dedupe.md); idf already lets a rare part count more than a common one.
 */
const HEAD_WEIGHT = 0.5;
const MODIFIER_WEIGHT = 0.5;
/** "staatlich geprüft", "Diplom", "(FH)" in a query say how someone qualified, not what they do. */
const QUALIFIER_WEIGHT = 0.4;
const MIN_HEAD = 4;
const MIN_MODIFIER = 3;
/** A head found without a known modifier must be long enough not to be a chance ending ("-ler", "-ling"). */
const PARTIAL_HEAD = 5;
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

/** The male form of a word as written ("raumreinigerin" → "raumreiniger"), for splitting it. */
function maleSurface(word: string): string {
  if (word.endsWith('innen') && word.length > 7) return word.slice(0, -5);
  if (word.endsWith('in') && word.length > 5 && !word.endsWith('ein')) return word.slice(0, -2);
  return word;
}

export class TermMaker {
  private readonly cache = new Map<string, Term[]>();

  /** @param vocabulary stems of whole words in the classification; compounds are split against it. */
  constructor(readonly vocabulary: ReadonlySet<string>) {}

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

  /**
   * Terms of a known stem: the stem and its compound parts, the head weighing more than the modifier. `surface` is
   * the word the stem came from: where the stem does not split, the word may ("raumreiniger" stems to "raumrein",
   * which hides the head "reinig").
   */
  stemTerms(s: string, weight = 1, surface?: string): Term[] {
    const out = new Map<string, number>([[s, weight]]);
    const split = this.split(s) ?? (surface === undefined ? null : this.surfaceSplit(surface));
    if (split !== null) {
      const [modifier, head] = split;
      const parts: Array<[string, number]> = [
        [head, HEAD_WEIGHT],
        [modifier, MODIFIER_WEIGHT],
      ];
      // One level further: "lagerlogistikhelfer" → "lagerlogistik" + "helfer" → "lager" + "logistik".
      for (const [part, w] of [...parts]) {
        const inner = this.split(part);
        if (inner) parts.push([inner[1], w * HEAD_WEIGHT], [inner[0], w * MODIFIER_WEIGHT]);
      }
      for (const [part, w] of parts) if ((out.get(part) ?? 0) < w * weight) out.set(part, w * weight);
    }
    return [...out];
  }

  private build(word: string): Term[] {
    if (NOISE_WORDS.has(word)) return [];
    return (WORD_EXPANSIONS.get(word) ?? [word]).flatMap((w) => this.stemTerms(this.maleStem(w), 1, maleSurface(w)));
  }

  /**
   * Terms of a query word. A qualification word ("staatlich geprüft", "Diplom", "(FH)") in the query counts less,
   * so a title that names one still meets the titles that do not; in the index it keeps its full weight, so that a
   * query without it prefers the title without it ("Pflegefachfrau" → the Pflegefachmann, not the one "(Hochschule)").
   */
  queryTerms(word: string): Term[] {
    const terms = this.terms(word);
    return QUALIFIER_WORDS.has(word) ? terms.map(([t, w]) => [t, w * QUALIFIER_WEIGHT] as const) : terms;
  }

  /** The single word a short form or English word stands for, else the word itself; for joining spaced compounds. */
  expanded(word: string): string {
    const expansion = WORD_EXPANSIONS.get(word);
    return expansion?.length === 1 ? (expansion[0] as string) : word;
  }

  /**
   * "verkäuferin" → "verkauf", "köchinnen" → "koch", "kauffrau" → "kaufmann", "hotelfachfrau" → "hotelfachmann";
   * only when the result is known, so "Medizin" stays "Medizin".
   */
  private maleStem(word: string): string {
    if (word.endsWith('frau')) {
      const s = stem(`${word.slice(0, -4)}mann`);
      if (this.vocabulary.has(s)) return s;
    }
    const base =
      word.endsWith('innen') && word.length > 7
        ? word.slice(0, -5)
        : word.endsWith('in') && word.length > 5
          ? word.slice(0, -2)
          : null;
    if (base !== null) {
      const s = stem(base);
      if (this.vocabulary.has(s)) return s;
    }
    return stem(word);
  }

  /** Modifier + head where the head is a known word and the modifier (maybe with a linking "s"/"n") is too. */
  split(s: string): [modifier: string, head: string] | null {
    if (s.length < MIN_HEAD + MIN_MODIFIER) return null;
    for (let i = MIN_MODIFIER; i <= s.length - MIN_HEAD; i++) {
      const head = s.slice(i);
      if (!this.vocabulary.has(head)) continue;
      const modifier = this.knownModifier(s.slice(0, i));
      if (modifier !== null) return [modifier, head];
    }
    return null;
  }

  /**
   * Modifier + head split on the word as written, each part stemmed on its own. The stemmer treats a compound's
   * ending differently from the same word alone ("raumreiniger" → "raumrein", "reiniger" → "reinig"), so a split
   * of the stem misses heads the split of the word finds.
   */
  surfaceSplit(word: string): [modifier: string, head: string] | null {
    if (word.length < MIN_HEAD + MIN_MODIFIER) return null;
    for (let i = MIN_MODIFIER; i <= word.length - MIN_HEAD; i++) {
      const head = stem(word.slice(i));
      if (head.length < MIN_MODIFIER || !this.vocabulary.has(head)) continue;
      const modifier = this.knownModifier(word.slice(0, i));
      if (modifier !== null) return [modifier, head];
    }
    return null;
  }

  /**
   * For a word nothing else matched ("Zahnradschleifer" where "Zahnrad" is unknown): the longest known head, with
   * the modifier's own parts if it has known ones, else the longest known front. Less than a full split, but the head
   * says what the person does.
   */
  partialTerms(s: string, surface = s): Term[] {
    const fromSurface = surface !== s;
    const word = fromSurface ? surface : s;
    for (let i = MIN_MODIFIER; i <= word.length - PARTIAL_HEAD; i++) {
      const head = fromSurface ? stem(word.slice(i)) : word.slice(i);
      if (head.length < (fromSurface ? MIN_MODIFIER : MIN_HEAD) || !this.vocabulary.has(head)) continue;
      const out: Term[] = [[head, HEAD_WEIGHT]];
      const front = word.slice(0, i);
      const modifier = this.knownModifier(front);
      if (modifier !== null) out.push([modifier, MODIFIER_WEIGHT]);
      else {
        const inner = this.split(stem(front));
        if (inner) out.push([inner[1], MODIFIER_WEIGHT * HEAD_WEIGHT], [inner[0], MODIFIER_WEIGHT * MODIFIER_WEIGHT]);
      }
      return out;
    }
    for (let i = word.length - MIN_HEAD; i >= PARTIAL_HEAD; i--) {
      const modifier = this.knownModifier(word.slice(0, i));
      if (modifier !== null) return [[modifier, MODIFIER_WEIGHT]];
    }
    return [];
  }

  private knownModifier(m: string): string | null {
    // The stemmer last: it is the expensive step, and most fronts are found as they are.
    if (this.vocabulary.has(m)) return m;
    const unlinked = m.replace(/(?:s|n|en|es)$/, '');
    if (unlinked.length >= MIN_MODIFIER && this.vocabulary.has(unlinked)) return unlinked;
    const stemmed = stem(m);
    return stemmed.length >= MIN_MODIFIER && this.vocabulary.has(stemmed) ? stemmed : null;
  }
}
