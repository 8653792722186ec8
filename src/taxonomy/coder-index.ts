/**
 * The occupation coder's index, built once at module load: every occupation title the classification assigns to a
 * Berufsgattung (plus the titles it names under `excluded` for their own code, the code titles and the curated
 * synonyms) becomes an entry with idf-weighted terms, and each term points to the entries containing it.
 */

import { SpellIndex } from './coder-spell.ts';
import { stem, TermMaker } from './coder-terms.ts';
import { titleWords } from './coder-text.ts';
import { kldbLeaves } from './kldb.ts';
import { NOISE_WORDS, SYNONYM_TITLES } from './synonyms.ts';

export interface Postings {
  entries: Int32Array;
  /** Entry term weight × idf, aligned with `entries`. */
  weights: Float32Array;
}

export interface CoderIndex {
  termMaker: TermMaker;
  spelling: SpellIndex;
  idf: Map<string, number>;
  postings: Map<string, Postings>;
  entryCode: string[];
  /** Sum of the entry's weighted terms: the denominator of the Dice score. */
  entryNorm: Float64Array;
  /** Trust in the entry's source: code titles are plural, generic forms and count a little less. */
  entryFactor: Float32Array;
}

/** Code titles read "Köche/Köchinnen (ohne Spezialisierung) – fachlich ausgerichtete Tätigkeiten". */
const TITLE_NOISE =
  /\s[–-]\s(?:helfer|fachkraft|spezialist|experte|fachlich|komplexe|hoch|helfer-).*$|\((?:ohne|o\.)\s?s[^)]*\)|\b(?:berufe|sonstige)\b/gi;
const CODE_TITLE_FACTOR = 0.9;
/** Siblings share a code title up to the level, so the level word is kept to tell them apart. */
const LEVEL_WORD = ['', 'Helfer', 'Fachkraft', 'Spezialist', 'Experte'];

interface RawEntry {
  code: string;
  text: string;
  factor: number;
}

function rawEntries(): RawEntry[] {
  const out: RawEntry[] = [];
  for (const leaf of kldbLeaves()) {
    const level = LEVEL_WORD[Number(leaf.code[4])] ?? '';
    out.push({ code: leaf.code, text: `${leaf.title.replace(TITLE_NOISE, ' ')} ${level}`, factor: CODE_TITLE_FACTOR });
    for (const occupation of leaf.occupations) out.push({ code: leaf.code, text: occupation, factor: 1 });
    for (const [title, code] of leaf.excluded) out.push({ code, text: title, factor: 1 });
  }
  for (const [phrase, code] of SYNONYM_TITLES) out.push({ code, text: phrase, factor: 1 });
  return out;
}

/** Terms of a whole text, weights merged (a word seen as whole and as part keeps its larger weight). */
function textTerms(termMaker: TermMaker, text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const word of titleWords(text)) {
    for (const [term, weight] of termMaker.terms(word)) {
      if ((out.get(term) ?? 0) < weight) out.set(term, weight);
    }
  }
  return out;
}

export function buildIndex(): CoderIndex {
  const raw = rawEntries();
  const vocabulary = new Set<string>();
  for (const e of raw) for (const w of titleWords(e.text)) if (!NOISE_WORDS.has(w)) vocabulary.add(stem(w));
  const termMaker = new TermMaker(vocabulary);

  const seen = new Set<string>();
  const entries: Array<{ code: string; terms: Map<string, number>; factor: number }> = [];
  for (const e of raw) {
    const terms = textTerms(termMaker, e.text);
    const key = `${e.code}|${[...terms.keys()].sort().join(' ')}`;
    if (terms.size === 0 || seen.has(key)) continue;
    seen.add(key);
    entries.push({ code: e.code, terms, factor: e.factor });
  }

  const df = new Map<string, number>();
  for (const e of entries) for (const t of e.terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [t, n] of df) idf.set(t, Math.log(1 + entries.length / n));

  const lists = new Map<string, Array<[number, number]>>();
  const entryNorm = new Float64Array(entries.length);
  entries.forEach((e, i) => {
    for (const [t, w] of e.terms) {
      const weighted = w * (idf.get(t) ?? 0);
      entryNorm[i] = (entryNorm[i] ?? 0) + weighted;
      const list = lists.get(t) ?? [];
      list.push([i, weighted]);
      lists.set(t, list);
    }
  });
  const postings = new Map<string, Postings>();
  for (const [t, list] of lists) {
    postings.set(t, { entries: Int32Array.from(list, ([i]) => i), weights: Float32Array.from(list, ([, w]) => w) });
  }
  return {
    termMaker,
    // Among several corrections the more frequent word is the likelier intent.
    spelling: new SpellIndex(vocabulary, (w) => df.get(w) ?? 0),
    idf,
    postings,
    entryCode: entries.map((e) => e.code),
    entryNorm,
    entryFactor: Float32Array.from(entries, (e) => e.factor),
  };
}
