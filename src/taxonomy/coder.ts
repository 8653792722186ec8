/**
 * KldB 2010 occupation coder: maps a German job-ad title to 5-digit Berufsgattungen with a confidence.
 *
 * Each indexed occupation title is compared with the ad title by an idf-weighted Dice overlap of their terms
 * (stems, compound parts); a code scores as its best-matching title. Source hints that name a title of the index
 * (BA `hauptberuf`, an ATS occupation field) or a code decide first. A title no indexed title matches near-exactly
 * is also classified by the model learnt from the index's titles (coder-model.ts), when the index has one. When the
 * title does not settle the requirement level (the fifth digit), level cues ("Helfer", "Meister", "Ingenieur" …)
 * move the result to the sibling code of that level, and leadership words ("Teamleiter", "Leitung") to the
 * supervisory or management code of the field the other words name. See docs/coding-and-dedupe.md for the design
 * and the evaluation.
 */
import { buildIndex, type CoderIndex, classificationSources } from './coder-index.ts';
import { titleFeatures } from './coder-model.ts';
import { stem, type Term } from './coder-terms.ts';
import { titleWords } from './coder-text.ts';
import { isKldbCode, kldbTitle, type RequirementLevel } from './kldb.ts';
import { NOISE_WORDS } from './synonyms.ts';

export interface CodingInput {
  title: string;
  description?: string;
  /**
   * What the source says about the occupation besides the title: BA `hauptberuf`/`alleBerufe` (the BA's own
   * titles), ATS occupation fields, schema.org `occupationalCategory`; a 5-digit KldB code is taken as a code.
   */
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
/** A hint matching an indexed title this well names the code; the title then only ranks among the hints' codes. */
const HINT_EXACT = 0.9;
/** A hint that matches only loosely (a coarse ATS category) counts less than the title. */
const HINT_FACTOR = 0.8;
/** How much the title's support moves codes a hint named. */
const HINT_TITLE_SHARE = 0.1;
/** A corrected typo is likely, not certain. */
const CORRECTED_FACTOR = 0.9;
/** The supervisory/management code of a field, derived rather than matched. */
const LEADER_FACTOR = 0.97;
const LEADER_FIELDS = 5;
/**
 * Shares of a code's score when the title matched no indexed title near-exactly: its match, the learnt model's
 * probability, and the similarity of its nearest training title by the model's embeddings (squared, so that only
 * close neighbours count). Chosen on held-out titles (split 1), with one network: 0.5/0.5/0 before the neighbours;
 * 0.4/0.4/0.2 gained 0.8 points, 0.3/0.3/0.4 1.2, 0.2/0.2/0.6 1.7, the neighbours alone lost 0.8.
 */
const MATCH_SHARE = 0.2;
const MODEL_SHARE = 0.2;
const NEIGHBOUR_SHARE = 0.6;
/**
 * Codes the model proposes per title. Comparing each one's nearest titles is most of the time a title the index lacks
 * takes; 6 coded held-out titles as 10 did (top-1 the same, top-3 0.3 points less) in two thirds of the time.
 */
const MODEL_CANDIDATES = 6;
/**
 * Best-matching codes whose nearest training titles are compared too, besides the model's candidates (4 and 10 coded
 * held-out titles alike, 10 took a tenth longer).
 */
const MATCH_CANDIDATES = 4;

type Scores = Map<string, number>;

/**
 * Words naming a requirement level, the most specific first: where a qualification is named in brackets ("(BA)",
 * "(Fachschule)", "(FH)") it decides, then the job words. The order and levels follow the classification's
 * conventions (KldB 2010 manual: Meister, Techniker, Fachschule, Bachelor are level 3; a four-year degree is level
 * 4), checked against the BA's title index. "Techniker" counts only on its own ("Servicetechniker" is a Fachkraft),
 * "-hilfe" not where it names a service ("Jugendhilfe"). Leadership words name level 4 here (for `levelCue`); the
 * coder handles them apart (LEADER).
 */
/** Meister compounds that name an occupation of their own, not the master of a trade. */
const OCCUPATION_MEISTER = new Set([
  'haus',
  'bade',
  'schwimm',
  'platz',
  'bürger',
  'hof',
  'quartier',
  'konzert',
  'kapell',
  'zeug',
]);
const NOT_MASTER = [...OCCUPATION_MEISTER].join('|');

const LEVEL_CUES: Array<[RequirementLevel, RegExp]> = [
  [3, /^(?:fachschule|fs|ba|geprüft|geprüfte|geprüfter)$/u],
  [4, /^(?:fh|uni|universität|hochschule|tu)$/u],
  [
    3,
    new RegExp(
      `^(?:(?!(?:${NOT_MASTER})meister)\\p{L}*meister|techniker|\\p{L}*fachwirt|spezialist|spezialistin|bachelor)$`,
      'u',
    ),
  ],
  [
    4,
    /^(?:dr|doktor|diplom|dipl|master|msc|\p{L}*ingenieur|\p{L}*leiter|\p{L}*leitung|experte|expertin|head|director|direktor)$/u,
  ],
  [
    1,
    /^(?:\p{L}*helfer|aushilf\p{L}*|\p{L}*hilfskraft|(?!\p{L}*(?:jugend|sozial|nach|familien|eingliederungs|kinder|erste|pannen)hilfe)\p{L}*hilfe|ungelernte?|angelernte?|anlernkraft)$/u,
  ],
  [
    2,
    /^(?:ausbildung|\p{L}*fachkraft|geselle|gesellin|\p{L}*kaufmann|\p{L}*kauffrau|\p{L}*facharbeiter|\p{L}*werker|vorarbeiter|\p{L}*fachangestellte|examiniert\p{L}*|assistent|assistentin|assistenz)$/u,
  ],
];

/**
 * Leadership words: Aufsicht (the fourth digit 9 with level 3: team, shift, Meister) or Führung (level 4). A
 * compound names its field in front ("Lagerleiter": Lager); generic fronts (Team, Abteilung …) do not. The
 * classification codes a Meister as the Aufsichtskraft of the trade and a Vorarbeiter as its Fachkraft.
 */
const LEADER = /^(\p{L}*?)(leiter|leitung|führer|meister|direktor)$/u;
const SUPERVISOR_FRONTS = new Set(['team', 'schicht', 'gruppe', 'gruppen', 'kolonne', 'kolonnen']);
const GENERIC_FRONTS = new Set([
  'abteilung',
  'abteilungs',
  'bereich',
  'bereichs',
  'betrieb',
  'betriebs',
  'niederlassung',
  'niederlassungs',
  'standort',
  'geschäfts',
  'ober',
  'haupt',
  'gesamt',
]);
/** "-führer" alone is a driver or operator ("Staplerführer"), a leader only in these compounds. */
const LEADING_FUEHRER = new Set(['schicht', 'gruppe', 'gruppen', 'kolonne', 'kolonnen', 'geschäfts', 'team']);

interface Cue {
  level: RequirementLevel;
  /** The cue word is not matched against titles ("Aushilfe"), so even an exact title match leaves the level open. */
  unmatched: boolean;
}

function findCue(words: string[]): Cue | null {
  for (const [level, cue] of LEVEL_CUES) {
    const hits = words.filter((w) => cue.test(w));
    if (hits.length > 0) return { level, unmatched: hits.every((w) => NOISE_WORDS.has(w)) };
  }
  return null;
}

/** The requirement level a title names, the most demanding first ("Leiter Lager" → 4). */
export function levelCue(title: string): RequirementLevel | null {
  return findCue(titleWords(title))?.level ?? null;
}

interface Leadership {
  /** Levels of the field's ninth Berufsuntergruppe to try, in order: 3 Aufsichtskraft (xx93), 4 Führungskraft (xx94). */
  targets: Array<3 | 4>;
  /** The words that name the field: the title without its leadership words, plus a compound's front. */
  field: string[];
}

/**
 * Team, shift and group leads are Aufsichtskräfte (xx93, else xx94); a Meister only the Aufsichtskraft of the trade
 * (no xx93 in the field: not a leadership code); Leiter and Leitung Führungskräfte (xx94, else xx93). The most senior
 * word of the title decides.
 */
function findLeadership(words: string[]): Leadership | null {
  let targets: Array<3 | 4> | null = null;
  let rank = 0;
  const field: string[] = [];
  for (const word of words) {
    const m = LEADER.exec(word);
    const front = m?.[1] ?? '';
    const kind = m?.[2];
    const isLeader =
      m !== null &&
      (kind !== 'führer' || LEADING_FUEHRER.has(front)) &&
      (kind !== 'meister' || !OCCUPATION_MEISTER.has(front));
    if (!isLeader) {
      field.push(word);
      continue;
    }
    const [wordRank, wordTargets]: [number, Array<3 | 4>] =
      kind === 'meister' ? [1, [3]] : SUPERVISOR_FRONTS.has(front) ? [2, [3, 4]] : [3, [4, 3]];
    if (wordRank > rank) {
      rank = wordRank;
      targets = wordTargets;
    }
    if (front.length >= 3 && !SUPERVISOR_FRONTS.has(front) && !GENERIC_FRONTS.has(front)) field.push(front);
  }
  if (targets === null || field.every((w) => NOISE_WORDS.has(w))) return null;
  return { targets, field };
}

function mergeMax(into: Scores, from: Scores, factor = 1): void {
  for (const [code, score] of from) if (score * factor > (into.get(code) ?? 0)) into.set(code, score * factor);
}

/** Fachkraft first, then Helfer: the most frequent levels in job ads break exact ties. */
const LEVEL_TIE_ORDER = [0, 2, 1, 3, 4, 5, 6, 7, 8, 9];

function ranked(scores: Scores): Array<[string, number]> {
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

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function topScore(scores: Scores): number {
  let top = 0;
  for (const s of scores.values()) if (s > top) top = s;
  return top;
}

/** A coder over one index. Stateless between calls apart from a scratch buffer; one per index. */
export class Coder {
  private readonly accumulator: Float64Array;

  constructor(readonly index: CoderIndex) {
    this.accumulator = new Float64Array(index.entryCode.length);
  }

  /** The query's terms with their weights: spaced compounds joined, typos corrected. */
  private queryTerms(rawWords: string[]): Map<string, number> {
    const query = new Map<string, number>();
    for (const word of this.joinSpacedCompounds(rawWords)) {
      for (const [term, weight] of this.wordTerms(word)) {
        if ((query.get(term) ?? 0) < weight) query.set(term, weight);
      }
    }
    return query;
  }

  /** Best Dice score per code for a list of words. */
  scoreWords(rawWords: string[]): Scores {
    return this.scoreTerms(this.queryTerms(rawWords));
  }

  /**
   * The learnt model's most probable codes (coder-model.ts), or nothing when the index has no model (the
   * classification file alone).
   */
  modelScores(rawWords: string[], query = this.queryTerms(rawWords)): Scores {
    const { model } = this.index;
    if (model === null) return new Map();
    const place = model.place(titleFeatures(query, rawWords));
    return place === null ? new Map() : model.predict(place, MODEL_CANDIDATES);
  }

  private scoreTerms(query: Map<string, number>): Scores {
    const { index } = this;
    let queryNorm = 0;
    const touched: number[] = [];
    const acc = this.accumulator;
    for (const [term, weight] of query) {
      const list = index.postings.get(term);
      if (!list) continue;
      const q = weight * (index.idf.get(term) as number);
      queryNorm += q;
      const { entries, weights } = list;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i] as number;
        if (acc[e] === 0) touched.push(e);
        acc[e] = (acc[e] as number) + Math.min(q, weights[i] as number);
      }
    }
    const scores: Scores = new Map();
    for (const e of touched) {
      const score =
        ((2 * (acc[e] as number)) / (queryNorm + (index.entryNorm[e] as number))) * (index.entryFactor[e] as number);
      acc[e] = 0;
      const code = index.entryCode[e] as string;
      if (score > (scores.get(code) ?? 0)) scores.set(code, score);
    }
    return scores;
  }

  scoreText(text: string): Scores {
    return this.scoreWords(titleWords(text));
  }

  /**
   * Terms of a query word. A word the index does not know, whole or as a compound of known parts, is first read as a
   * typo of a known word, else by the known parts it has (its head, or its front).
   */
  private wordTerms(word: string): ReadonlyArray<Term> {
    const { termMaker, postings, spelling } = this.index;
    const terms = termMaker.queryTerms(word);
    if (terms.length === 0 || terms.some(([term]) => postings.has(term))) return terms;
    const s = stem(word);
    const corrected = spelling.correct(s);
    if (corrected !== null) return termMaker.stemTerms(corrected, CORRECTED_FACTOR);
    const partial = termMaker.partialTerms(s).filter(([term]) => postings.has(term));
    return partial.length > 0 ? partial : termMaker.partialTerms(s, word).filter(([term]) => postings.has(term));
  }

  /**
   * "Software Entwickler" → "softwareentwickler", "Forklift Driver" → "gabelstaplerfahrer" when the joined word is
   * an indexed one.
   */
  private joinSpacedCompounds(words: string[]): string[] {
    const { termMaker, postings } = this.index;
    const out: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const next = words[i + 1];
      const joined = next === undefined ? '' : `${termMaker.expanded(words[i] as string)}${termMaker.expanded(next)}`;
      if (next !== undefined && postings.has(stem(joined))) {
        out.push(joined);
        i++;
      } else out.push(words[i] as string);
    }
    return out;
  }

  /**
   * The title's matches, the model's prediction and the codes of the nearest training titles in one score. A
   * near-exact match of an indexed title stays on top (the model was trained on it too); below that the model and
   * the neighbours rank the codes, which is what lets a title the index lacks find its code.
   */
  private combine(matches: Scores, rawWords: string[], query: Map<string, number>): Scores {
    const { model } = this.index;
    if (model === null) return matches;
    const place = model.place(titleFeatures(query, rawWords));
    if (place === null) return matches;
    const predicted = model.predict(place, MODEL_CANDIDATES);
    const candidates = new Set([
      ...predicted.keys(),
      ...ranked(matches)
        .slice(0, MATCH_CANDIDATES)
        .map(([c]) => c),
    ]);
    const near = model.nearest(place, candidates);
    const out: Scores = new Map();
    for (const code of candidates) {
      const similarity = near.get(code) ?? 0;
      out.set(
        code,
        MATCH_SHARE * (matches.get(code) ?? 0) +
          MODEL_SHARE * (predicted.get(code) ?? 0) +
          NEIGHBOUR_SHARE * similarity * similarity,
      );
    }
    return out;
  }

  /** Codes the hints name: a hint that is a code, or one that matches an indexed title near-exactly. */
  private hintScores(hints: readonly string[]): { exact: Scores; loose: Scores } {
    const exact: Scores = new Map();
    const loose: Scores = new Map();
    for (const hint of hints) {
      const code = hint.trim();
      if (/^\d{5}$/.test(code)) {
        if (isKldbCode(code)) exact.set(code, 1);
        continue;
      }
      const scores = this.scoreText(hint);
      const top = topScore(scores);
      if (top >= HINT_EXACT) {
        for (const [c, s] of scores) if (s >= HINT_EXACT && s > (exact.get(c) ?? 0)) exact.set(c, s);
      } else mergeMax(loose, scores);
    }
    return { exact, loose };
  }

  /** Adds the supervisory or management code of the fields the other words name. */
  private applyLeadership(scores: Scores, leadership: Leadership): void {
    const fields = ranked(this.scoreWords(leadership.field)).slice(0, LEADER_FIELDS);
    for (const [code, score] of fields) {
      const group = code.slice(0, 3);
      const target = leadership.targets.map((level) => `${group}9${level}`).find(isKldbCode);
      if (target === undefined) continue;
      const own = target === code ? score : score * LEADER_FACTOR;
      if (own > (scores.get(target) ?? 0)) scores.set(target, own);
    }
  }

  code(input: CodingInput): CodingResult {
    const words = titleWords(input.title);
    const query = this.queryTerms(words);
    const matches = this.scoreTerms(query);
    // A title the index has (near-exactly) needs no prediction, and its trust factor (current over outdated) decides.
    const titleScores = topScore(matches) >= EXACT_SCORE ? matches : this.combine(matches, words, query);
    const hints = this.hintScores(input.hints ?? []);
    let scores: Scores;
    if (hints.exact.size > 0) {
      // The source named the occupation: its codes stand, and the title only ranks among them.
      scores = new Map();
      for (const [code, s] of hints.exact)
        scores.set(code, s * (1 - HINT_TITLE_SHARE) + HINT_TITLE_SHARE * (titleScores.get(code) ?? 0));
    } else {
      scores = titleScores;
      mergeMax(scores, hints.loose, HINT_FACTOR);
      if (scores.size === 0 && input.description) {
        mergeMax(scores, this.scoreText(input.description.slice(0, DESCRIPTION_CHARS)), DESCRIPTION_FACTOR);
      }
      if (scores.size === 0) return { candidates: [], best: null, needsReview: true };
      // Whether the title left the level open is a matter of how well it matched an indexed title, not of the model.
      const top = Math.max(topScore(matches), topScore(hints.loose) * HINT_FACTOR);
      const leadership = top < EXACT_SCORE ? findLeadership(words) : null;
      if (leadership !== null) this.applyLeadership(scores, leadership);
      else {
        const cue = findCue(words);
        if (cue !== null && (top < EXACT_SCORE || cue.unmatched)) applyLevelCue(scores, cue.level);
      }
    }

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

  /**
   * Terms of a title as the coder sees them, for deduplication to compare titles. With `withParts`, compounds add
   * their parts, so "Staplerfahrer" and "Gabelstaplerfahrer" share terms.
   */
  titleTermSet(title: string, withParts = false): Set<string> {
    const out = new Set<string>();
    const { termMaker } = this.index;
    for (const word of this.joinSpacedCompounds(titleWords(title))) {
      if (withParts) for (const [term] of termMaker.terms(word)) out.add(term);
      else for (const s of termMaker.baseStems(word)) out.add(s);
    }
    return out;
  }
}

/** Moves the result to the cue's level within the same Berufsuntergruppe, when the title left the level open. */
function applyLevelCue(scores: Scores, level: RequirementLevel): void {
  for (const [code, score] of [...scores]) {
    if (Number(code[4]) === level) continue;
    const sibling = code.slice(0, 4) + level;
    if (isKldbCode(sibling) && (scores.get(sibling) ?? 0) < score * SIBLING_FACTOR)
      scores.set(sibling, score * SIBLING_FACTOR);
    scores.set(code, score * OFF_LEVEL_FACTOR);
  }
}

let classificationCoder: Coder | null = null;
let activeCoder: Coder | null = null;

/** The coder over the classification file alone, built on first use (a few hundred milliseconds). */
export function defaultCoder(): Coder {
  classificationCoder ??= new Coder(buildIndex(classificationSources()));
  return classificationCoder;
}

/** The coder ingest uses: the one over the imported title index once installed, else the default. */
export function currentCoder(): Coder {
  return activeCoder ?? defaultCoder();
}

/** Makes `coder` the one `codeOccupation` uses in this process; null returns to the classification file alone. */
export function installCoder(coder: Coder | null): void {
  activeCoder = coder;
}

export function codeOccupation(input: CodingInput): CodingResult {
  return currentCoder().code(input);
}

/**
 * Terms of a title for deduplication. Always from the classification file's vocabulary, so the dedupe keys stored
 * with vacancies do not change when an operator imports a title index.
 */
export function titleTermSet(title: string, withParts = false): Set<string> {
  return defaultCoder().titleTermSet(title, withParts);
}
