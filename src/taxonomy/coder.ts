/**
 * KldB 2010 occupation coder: maps a German job-ad title to 5-digit Berufsgattungen with a confidence.
 *
 * Each indexed occupation title is compared with the ad title by an idf-weighted Dice overlap of their terms
 * (stems, compound parts); a code scores as its best-matching title. When the title does not settle the
 * requirement level (the fifth digit), level cues in the title ("Helfer", "Meister", "Ingenieur" …) move the result
 * to the sibling code of that level. See docs/coding-and-dedupe.md for the evaluation.
 */
import { buildIndex } from './coder-index.ts';
import { stem } from './coder-terms.ts';
import { titleWords } from './coder-text.ts';
import { isKldbCode, kldbTitle, type RequirementLevel } from './kldb.ts';
import { NOISE_WORDS } from './synonyms.ts';

export interface CodingInput {
  title: string;
  description?: string;
  /** Occupation titles the source gives (BA `hauptberuf`, `alleBerufe`); they are usually the BA's own titles. */
  hints?: string[];
}

export interface CodeCandidate {
  code: string;
  title: string;
  confidence: number;
}

export interface CodingResult {
  candidates: CodeCandidate[];
  best: { code: string; confidence: number } | null;
  needsReview: boolean;
}

/** Below this confidence a caseworker confirms the code; chosen from the evaluation (docs/coding-and-dedupe.md). */
export const REVIEW_THRESHOLD = 0.6;

const MAX_CANDIDATES = 3;
/** A title matching an indexed title this well is taken as the code's own title: its level is not in doubt. */
const EXACT_SCORE = 0.95;
/** Margin over the runner-up at which the confidence stops growing. */
const CLEAR_MARGIN = 0.25;
const OFF_LEVEL_FACTOR = 0.8;
const SIBLING_FACTOR = 0.95;
const DESCRIPTION_FACTOR = 0.5;
const DESCRIPTION_CHARS = 300;

const index = buildIndex();
const accumulator = new Float64Array(index.entryCode.length);

/** Best Dice score per code for a text. */
function scoreText(text: string): Map<string, number> {
  const words = joinSpacedCompounds(titleWords(text));
  const query = new Map<string, number>();
  for (const word of words) {
    for (const [term, weight] of wordTerms(word)) {
      if ((query.get(term) ?? 0) < weight) query.set(term, weight);
    }
  }
  let queryNorm = 0;
  const touched: number[] = [];
  for (const [term, weight] of query) {
    const list = index.postings.get(term);
    if (!list) continue;
    const q = weight * (index.idf.get(term) ?? 0);
    queryNorm += q;
    for (let i = 0; i < list.entries.length; i++) {
      const e = list.entries[i] as number;
      if (accumulator[e] === 0) touched.push(e);
      accumulator[e] = (accumulator[e] as number) + Math.min(q, list.weights[i] as number);
    }
  }
  const scores = new Map<string, number>();
  for (const e of touched) {
    const score =
      ((2 * (accumulator[e] as number)) / (queryNorm + (index.entryNorm[e] as number))) *
      (index.entryFactor[e] as number);
    accumulator[e] = 0;
    const code = index.entryCode[e] as string;
    if (score > (scores.get(code) ?? 0)) scores.set(code, score);
  }
  return scores;
}

/** Terms of a query word; a word the vocabulary does not know at all gets one typo corrected. */
function wordTerms(word: string): ReadonlyArray<readonly [string, number]> {
  const terms = index.termMaker.terms(word);
  if (terms.length === 0 || terms.some(([term]) => index.postings.has(term))) return terms;
  const corrected = index.spelling.correct(stem(word));
  return corrected === null ? terms : index.termMaker.stemTerms(corrected);
}

/** "Software Entwickler" → "softwareentwickler" when the joined word is an indexed one. */
function joinSpacedCompounds(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const next = words[i + 1];
    const joined = `${words[i]}${next ?? ''}`;
    if (next !== undefined && index.postings.has(stem(joined))) {
      out.push(joined);
      i++;
    } else out.push(words[i] as string);
  }
  return out;
}

/**
 * Words naming a requirement level. "Techniker" counts only on its own ("Servicetechniker" is a Fachkraft), and
 * "-hilfe" not where it names a service ("Jugendhilfe").
 */
const LEVEL_CUES: Array<[RequirementLevel, RegExp]> = [
  [
    4,
    /^(?:dr|diplom|dipl|master|msc|\p{L}*ingenieur|\p{L}*leiter|\p{L}*leitung|experte|expertin|head|director|direktor)$/u,
  ],
  [3, /^(?:\p{L}*meister|techniker|\p{L}*fachwirt|spezialist|spezialistin|bachelor)$/u],
  [
    1,
    /^(?:\p{L}*helfer|aushilf\p{L}*|\p{L}*hilfskraft|(?!\p{L}*(?:jugend|sozial|nach|familien|eingliederungs|kinder|erste|pannen)hilfe)\p{L}*hilfe|ungelernte?|angelernte?|anlernkraft)$/u,
  ],
  [
    2,
    /^(?:ausbildung|\p{L}*fachkraft|geselle|gesellin|\p{L}*kaufmann|\p{L}*kauffrau|facharbeiter|\p{L}*fachangestellte)$/u,
  ],
];

interface Cue {
  level: RequirementLevel;
  /** The cue word is not matched against titles ("Aushilfe"), so even an exact title match leaves the level open. */
  unmatched: boolean;
}

function findCue(title: string): Cue | null {
  const words = titleWords(title);
  for (const [level, cue] of LEVEL_CUES) {
    const hits = words.filter((w) => cue.test(w));
    if (hits.length > 0) return { level, unmatched: hits.every((w) => NOISE_WORDS.has(w)) };
  }
  return null;
}

/** The requirement level a title names, the most demanding first ("Leiter Lager" → 4). */
export function levelCue(title: string): RequirementLevel | null {
  return findCue(title)?.level ?? null;
}

/** Moves the result to the cue's level within the same Berufsuntergruppe, when the title left the level open. */
function applyLevelCue(scores: Map<string, number>, level: RequirementLevel): void {
  for (const [code, score] of [...scores]) {
    if (Number(code[4]) === level) continue;
    const sibling = code.slice(0, 4) + level;
    if (isKldbCode(sibling) && (scores.get(sibling) ?? 0) < score * SIBLING_FACTOR)
      scores.set(sibling, score * SIBLING_FACTOR);
    scores.set(code, score * OFF_LEVEL_FACTOR);
  }
}

function mergeMax(into: Map<string, number>, from: Map<string, number>, factor = 1): void {
  for (const [code, score] of from) if (score * factor > (into.get(code) ?? 0)) into.set(code, score * factor);
}

/** Fachkraft first, then Helfer: the most frequent levels in job ads break exact ties. */
const LEVEL_TIE_ORDER = [0, 2, 1, 3, 4, 5, 6, 7, 8, 9];

function ranked(scores: Map<string, number>): Array<[string, number]> {
  return [...scores].sort(
    (a, b) => b[1] - a[1] || (LEVEL_TIE_ORDER[Number(a[0][4])] ?? 9) - (LEVEL_TIE_ORDER[Number(b[0][4])] ?? 9),
  );
}

/**
 * Confidence grows with the best score and its margin over the runner-up: a near-exact title of one code is
 * certain, a partial match shared by two codes is not.
 */
function confidence(best: number, runnerUp: number): number {
  const margin = Math.min(1, (best - runnerUp) / CLEAR_MARGIN);
  return Math.max(0, Math.min(1, best * (0.5 + 0.5 * margin)));
}

export function codeOccupation(input: CodingInput): CodingResult {
  const scores = scoreText(input.title);
  for (const hint of input.hints ?? []) mergeMax(scores, scoreText(hint));
  if (scores.size === 0 && input.description) {
    mergeMax(scores, scoreText(input.description.slice(0, DESCRIPTION_CHARS)), DESCRIPTION_FACTOR);
  }
  if (scores.size === 0) return { candidates: [], best: null, needsReview: true };

  const top = Math.max(...scores.values());
  const cue = findCue(input.title);
  if (cue !== null && (top < EXACT_SCORE || cue.unmatched)) applyLevelCue(scores, cue.level);

  const list = ranked(scores);
  const candidates = list.slice(0, MAX_CANDIDATES).map(([code, score], i) => ({
    code,
    title: kldbTitle(code) ?? code,
    confidence: round(confidence(score, list[i + 1]?.[1] ?? 0)),
  }));
  const first = candidates[0] as CodeCandidate;
  return {
    candidates,
    best: { code: first.code, confidence: first.confidence },
    needsReview: first.confidence < REVIEW_THRESHOLD,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Terms of a title as the coder sees them, for deduplication to compare titles. With `withParts`, compounds add
 * their parts, so "Staplerfahrer" and "Gabelstaplerfahrer" share terms.
 */
export function titleTermSet(title: string, withParts = false): Set<string> {
  const out = new Set<string>();
  for (const word of joinSpacedCompounds(titleWords(title))) {
    if (withParts) for (const [term] of index.termMaker.terms(word)) out.add(term);
    else for (const s of index.termMaker.baseStems(word)) out.add(s);
  }
  return out;
}
