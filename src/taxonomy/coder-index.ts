/**
 * The occupation coder's index: every known occupation title becomes an entry with idf-weighted terms, and each term
 * points to the entries containing it. Titles come from the classification file (its example titles, the titles it
 * names under `excluded` for their own code, the code titles), the curated synonyms and, once an operator imported
 * it, the BA's full title index (official-titles.ts) with its male and female forms, weighted by the title's state.
 */

import { type ModelExample, TitleModel, titleFeatures } from './coder-model.ts';
import { SpellIndex } from './coder-spell.ts';
import { stem, TermMaker } from './coder-terms.ts';
import { titleWords } from './coder-text.ts';
import { isKldbCode, kldbLeaves } from './kldb.ts';
import type { OfficialTitle, TitleState } from './official-titles.ts';
import { NOISE_WORDS, SYNONYM_TITLES } from './synonyms.ts';

export interface Postings {
  entries: Int32Array;
  /** Entry term weight × idf, aligned with `entries`. */
  weights: Float32Array;
}

export interface CoderIndex {
  /** Stems of the indexed titles' words (without learnt compound parts): what typos are corrected towards. */
  vocabulary: ReadonlySet<string>;
  termMaker: TermMaker;
  spelling: SpellIndex;
  idf: Map<string, number>;
  postings: Map<string, Postings>;
  entryCode: string[];
  /** Sum of the entry's weighted terms: the denominator of the Dice score. */
  entryNorm: Float64Array;
  /** Trust in the entry's source: code titles are plural, generic forms and count a little less. */
  entryFactor: Float32Array;
  /** Number of official titles in the index (0: classification file only). */
  officialTitles: number;
  /** The learnt classifier (coder-model.ts); trained only for an index with the BA's list. */
  model: TitleModel | null;
}

/** One title the index learns, with the code it stands for and the trust in it. */
export interface IndexSource {
  code: string;
  text: string;
  factor: number;
}

/** Code titles read "Köche/Köchinnen (ohne Spezialisierung) – fachlich ausgerichtete Tätigkeiten". */
const TITLE_NOISE =
  /\s[–-]\s(?:helfer|fachkraft|spezialist|experte|fachlich|komplexe|hoch|helfer-).*$|\((?:ohne|o\.)\s?s[^)]*\)|\b(?:berufe|sonstige)\b/gi;
const CODE_TITLE_FACTOR = 0.9;
/** Siblings share a code title up to the level, so the level word is kept to tell them apart. */
const LEVEL_WORD = ['', 'Helfer', 'Fachkraft', 'Spezialist', 'Experte'];

/**
 * Trust per state of an official title: current titles are what people write; tax-only titles are real but rarer
 * wordings; outdated ones still occur in older data and CVs; meta entries are umbrellas. A curated synonym ranks just
 * below a current title, so where the BA's list and the synonyms disagree the list wins.
 */
export const STATE_FACTOR: Record<TitleState, number> = { E: 1, T: 0.97, R: 0.94, M: 0.9 };
const SYNONYM_FACTOR = 0.99;
/** Titles only the older list has, coded through the crosswalk: still evidence, the weakest. */
export const LEGACY_FACTOR = 0.92;

/** The classification file's titles and the curated synonyms: the index without any imported list. */
export function classificationSources(): IndexSource[] {
  const out: IndexSource[] = [];
  for (const leaf of kldbLeaves()) {
    const level = LEVEL_WORD[Number(leaf.code[4])] ?? '';
    out.push({ code: leaf.code, text: `${leaf.title.replace(TITLE_NOISE, ' ')} ${level}`, factor: CODE_TITLE_FACTOR });
    for (const occupation of leaf.occupations) out.push({ code: leaf.code, text: occupation, factor: 1 });
    for (const [title, code] of leaf.excluded) out.push({ code, text: title, factor: 1 });
  }
  for (const [phrase, code] of SYNONYM_TITLES) out.push({ code, text: phrase, factor: SYNONYM_FACTOR });
  return out;
}

/**
 * An official title in each of its forms. The long forms often spell out what the short one abbreviates
 * ("mittl. Dienst" / "mittlerer Dienst"); a form equal to another after gender handling adds nothing and is dropped
 * when the index is built.
 */
export function officialSources(titles: Iterable<OfficialTitle>, factor?: (t: OfficialTitle) => number): IndexSource[] {
  const out: IndexSource[] = [];
  for (const t of titles) {
    if (!isKldbCode(t.code)) continue;
    const f = factor ? factor(t) : STATE_FACTOR[t.state];
    out.push({ code: t.code, text: t.neutral, factor: f });
    // "Abfallberater/in", "Abfallberater", "Abfallberaterin": the long forms add words only where they differ more.
    if (t.male !== t.neutral && t.neutral.replace(/\/-?in\b/g, '') !== t.male)
      out.push({ code: t.code, text: t.male, factor: f });
    if (t.female !== t.male && t.female !== `${t.male}in`) out.push({ code: t.code, text: t.female, factor: f });
  }
  return out;
}

/** Shortest parts learnt from the vocabulary's compounds; shorter ones are too often chance letter runs. */
const MIN_LEARNT_HEAD = 6;
const MIN_LEARNT_MODIFIER = 5;

/**
 * The vocabulary plus the parts of its compounds that never occur as words on their own: in "steinbildhauer" the
 * front "stein" is a word, so "bildhauer" is a part, and a title "Bildhauer" meets it; in "wertpapierhändler" the
 * head "händler" is a word, so "wertpapier" is one. Without this, a compound's parts are only found when another
 * title happens to use them alone.
 */
function withCompoundParts(vocabulary: ReadonlySet<string>): Set<string> {
  const out = new Set(vocabulary);
  const known = (m: string) => vocabulary.has(m) || vocabulary.has(m.replace(/(?:s|n|en|es)$/, ''));
  for (const word of vocabulary) {
    for (let i = MIN_LEARNT_MODIFIER; i <= word.length - 4; i++) {
      const head = word.slice(i);
      const front = word.slice(0, i);
      if (vocabulary.has(head)) {
        out.add(front);
        break;
      }
      if (head.length >= MIN_LEARNT_HEAD && known(front)) {
        out.add(head);
        break;
      }
    }
  }
  return out;
}

/** Terms of a whole text, weights merged (a word seen as whole and as part keeps its larger weight). */
function textTerms(termMaker: TermMaker, words: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const word of words) {
    for (const [term, weight] of termMaker.terms(word)) {
      if ((out.get(term) ?? 0) < weight) out.set(term, weight);
    }
  }
  return out;
}

export interface BuildOptions {
  /** Train the learnt classifier too (a few seconds for the BA's list). @defaultValue false */
  model?: boolean;
}

export function buildIndex(allSources: IndexSource[], { model = false }: BuildOptions = {}): CoderIndex {
  // Most official titles are also the classification's example titles: the same text for the same code is one
  // source (the more trusted one), read once.
  const unique = new Map<string, IndexSource>();
  for (const s of allSources) {
    const key = `${s.code}|${s.text}`;
    const seen = unique.get(key);
    if (seen === undefined || seen.factor < s.factor) unique.set(key, s);
  }
  const sources = [...unique.values()];
  const words = sources.map((s) => titleWords(s.text));
  const vocabulary = new Set<string>();
  for (const ws of words) for (const w of ws) if (!NOISE_WORDS.has(w)) vocabulary.add(stem(w));
  const termMaker = new TermMaker(withCompoundParts(vocabulary));

  // One entry per code and set of terms; the most trusted source of it sets the factor.
  const byKey = new Map<string, { code: string; terms: Map<string, number>; factor: number }>();
  sources.forEach((s, i) => {
    const terms = textTerms(termMaker, words[i] as string[]);
    if (terms.size === 0) return;
    const key = `${s.code}|${[...terms.keys()].sort().join(' ')}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { code: s.code, terms, factor: s.factor });
    else if (seen.factor < s.factor) seen.factor = s.factor;
  });
  const entries = [...byKey.values()];

  const df = new Map<string, number>();
  for (const e of entries) for (const t of e.terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [t, n] of df) idf.set(t, Math.log(1 + entries.length / n));

  const lists = new Map<string, { entries: number[]; weights: number[] }>();
  const entryNorm = new Float64Array(entries.length);
  entries.forEach((e, i) => {
    let norm = 0;
    for (const [t, w] of e.terms) {
      const weighted = w * (idf.get(t) as number);
      norm += weighted;
      let list = lists.get(t);
      if (list === undefined) {
        list = { entries: [], weights: [] };
        lists.set(t, list);
      }
      list.entries.push(i);
      list.weights.push(weighted);
    }
    entryNorm[i] = norm;
  });
  const postings = new Map<string, Postings>();
  for (const [t, list] of lists) {
    postings.set(t, { entries: Int32Array.from(list.entries), weights: Float32Array.from(list.weights) });
  }
  return assembleIndex({
    vocabulary,
    lookup: termMaker.vocabulary,
    termMaker,
    idf,
    postings,
    entryCode: entries.map((e) => e.code),
    entryNorm,
    entryFactor: Float32Array.from(entries, (e) => e.factor),
    officialTitles: 0,
    model: model ? trainModel(termMaker, sources, words) : null,
  });
}

/** Words of a description shorter than this are function words ("der", "und", "für") and endings. */
const MIN_DESCRIPTION_WORD = 4;

/**
 * Every distinct title is one training example; forms that read the same after gender handling ("Abfallberater/in",
 * "Abfallberater") are one, which halves the training time and changes nothing the model can learn. Each
 * Berufsgattung's description in the classification is one more example of its code, by its terms only (letter groups
 * of running text would teach the model words no title has): a word few titles use learns from the descriptions
 * which field it belongs to. Only words the index's titles know reach the model when coding, so the descriptions
 * teach about those. That gained 1.9 points on held-out titles (the model alone 2.7); the activity lists, longer and
 * more generic, lost 1 point of it again.
 */
function trainModel(termMaker: TermMaker, sources: IndexSource[], words: string[][]): TitleModel {
  const examples = new Map<string, ModelExample>();
  sources.forEach((s, i) => {
    const ws = words[i] as string[];
    const key = `${s.code}|${ws.join(' ')}`;
    if (!examples.has(key))
      examples.set(key, {
        code: s.code,
        features: titleFeatures(
          ws.flatMap((w) => termMaker.terms(w)),
          ws,
        ),
      });
  });
  const titles = examples.size;
  for (const leaf of kldbLeaves()) {
    const ws = titleWords(leaf.description).filter((w) => w.length >= MIN_DESCRIPTION_WORD);
    if (ws.length > 0)
      examples.set(`${leaf.code}|description`, {
        code: leaf.code,
        features: titleFeatures(
          ws.flatMap((w) => termMaker.terms(w)),
          [],
        ),
      });
  }
  return TitleModel.train([...examples.values()], { neighbourCount: titles });
}

/** The index from its parts (built, or read back from a snapshot). */
export function assembleIndex(
  parts: Omit<CoderIndex, 'spelling' | 'termMaker'> & {
    lookup: ReadonlySet<string>;
    termMaker?: TermMaker;
  },
): CoderIndex {
  const { lookup, termMaker, ...rest } = parts;
  const idf = parts.idf;
  return {
    ...rest,
    termMaker: termMaker ?? new TermMaker(lookup),
    // Among several corrections the more frequent word (lower idf) is the likelier intent.
    spelling: new SpellIndex(parts.vocabulary, (w) => -(idf.get(w) ?? Number.POSITIVE_INFINITY)),
  };
}
