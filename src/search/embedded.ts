/**
 * The default, in-process search engine: posting lists (term → documents) for three fields on typed arrays
 * (`postings.ts`), German analysis, typo and prefix expansion, scoring, filters, facets and sorting. The whole state
 * can be taken out and put back (`toState` / `restore`), so a restart loads a snapshot instead of re-reading the DB
 * (`snapshot.ts`, `embedded-start.ts`). Design and figures at 100,000 and 1,000,000 vacancies: docs/search-engine.md.
 */
import { placesOf, toSummary, type VacancyDocument, type VacancySummary } from '../vacancies/vacancy.ts';
import { AnswerCache, answerKey } from './answer-cache.ts';
import { type ColumnBytes, toSlotFilter, VacancyColumns } from './columns.ts';
import { analyse, isStopWord, stem, words } from './german.ts';
import { nearestPlaceFirst } from './nearest-place.ts';
import { type PostingBytes, PostingLists, TermDictionary } from './postings.ts';
import type { DocumentWriter, SearchEngine, SearchHit, SearchQuery, SearchResult } from './search-engine.ts';
import { topK } from './top-k.ts';
import { Vocabulary, type VocabularyEntry } from './vocabulary.ts';

/** Field weights: a title hit counts three times a hit in the body text. */
const FIELDS = [
  { name: 'title', weight: 3, text: (d: VacancyDocument) => d.title },
  { name: 'occupation', weight: 1.5, text: (d: VacancyDocument) => d.kldbTitle ?? '' },
  {
    name: 'body',
    weight: 1,
    text: (d: VacancyDocument) => [d.employerName, placeText(d), d.description].filter(Boolean).join(' '),
  },
] as const;
/** Fields whose words are offered as completions of the last typed word; description words would only add noise. */
const COMPLETABLE_TEXT = (d: VacancyDocument) =>
  [d.title, d.kldbTitle, d.employerName, ...placesOf(d).map((p) => p.place)].join(' ');

/** Names and postcodes of every place: a vacancy with several places is found by any of them. */
function placeText(d: VacancyDocument): string {
  return placesOf(d)
    .flatMap((p) => [p.place, p.plz])
    .filter(Boolean)
    .join(' ');
}

/** Scores relative to an exact term match: typos and completions rank below what was typed. */
const TYPO_QUALITY = 0.5;
const COMPLETION_QUALITY = 0.75;
const MIN_TYPO_WORD_LENGTH = 5;
const MAX_COMPLETIONS = 20;
const MAX_QUERY_WORDS = 8;
/** A query stamp advances by this much, more than MAX_QUERY_WORDS, so stamps of different queries never meet. */
const STAMP_STEP = 16;
/**
 * Removed slots stay in the posting lists until this many have gathered (or a quarter of the live documents, if
 * more): purging walks every list, so it is done in bulk.
 */
const MIN_REMOVED_BEFORE_COMPACT = 4096;
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

/** Layout of `EmbeddedIndexState`; a snapshot of another layout is not loaded. */
// `places:all`: every place's name and postcode is indexed (snapshots from before lack the other places).
export const EMBEDDED_STATE_LAYOUT = `fields:${FIELDS.map((f) => `${f.name}=${f.weight}`).join(',')};postings:1;places:all`;

interface QueryWord {
  /** Terms any of which satisfies this word, each with its quality. */
  terms: Map<string, number>;
}

/**
 * Summaries as JSON text, one after another: slot i's is `json[offsets[i] .. offsets[i + 1])`, empty where no
 * document lives. Kept this way after loading and parsed per hit, since a restart would otherwise spend most of its
 * time parsing a hundred thousand summaries nobody has asked for yet (and raw JSON takes less memory than objects).
 */
export interface StoredSummaries {
  json: Uint8Array<ArrayBuffer>;
  offsets: Float64Array<ArrayBuffer>;
}

/** Everything the engine holds, as plain arrays: what a snapshot writes and reads back. */
export interface EmbeddedIndexState {
  /** Per slot, the document id; null where no document lives. */
  ids: Array<string | null>;
  summaries: StoredSummaries;
  /** Slots free for reuse: purged from the posting lists. */
  freeSlots: number[];
  /** Slots removed since the last compaction: still in the posting lists, not yet reusable. */
  removedSlots: number[];
  columns: ColumnBytes;
  terms: string[];
  /** One per field, in the order of FIELDS. */
  postings: PostingBytes[];
  vocabulary: VocabularyEntry[];
}

export class EmbeddedSearchEngine implements SearchEngine {
  private columns = new VacancyColumns();
  private vocabulary = new Vocabulary();
  private dictionary = new TermDictionary();
  private postings = FIELDS.map(() => new PostingLists());
  private slotById = new Map<string, number>();
  /** Per slot; a live slot without one has its summary in `stored` still. */
  private summaries: Array<VacancySummary | undefined> = [];
  private stored: StoredSummaries | undefined;
  private freeSlots: number[] = [];
  private removedSlots: number[] = [];
  private writes = 0;
  /** The index a `rebuild` is filling, which every write also reaches meanwhile. */
  private building: EmbeddedSearchEngine | undefined;

  // Per-query work arrays, kept between queries: allocating and zeroing them per query costs more than the search
  // itself at a million slots. A search runs synchronously from start to end, so one set is enough.
  private score = new Float32Array(0);
  private best = new Float32Array(0);
  private matched = new Uint32Array(0);
  private candidates = new Uint32Array(0);
  private distances = new Float64Array(0);
  private stamp = 0;
  /** Undefined when every answer is computed (the benchmarks that time the engine itself). */
  private readonly answers: AnswerCache | undefined;

  constructor(options: { keepAnswers?: boolean } = {}) {
    this.answers = options.keepAnswers === false ? undefined : new AnswerCache();
  }

  /** Grows with every upsert, removal or clear: a snapshot is only worth writing when it moved. */
  get version(): number {
    return this.writes;
  }

  async init(): Promise<void> {}

  async upsert(docs: readonly VacancyDocument[]): Promise<void> {
    for (const doc of docs) {
      const existing = this.slotById.get(doc.id);
      if (existing !== undefined) this.release(existing);
      const slot = this.freeSlots.pop() ?? this.summaries.length;
      this.slotById.set(doc.id, slot);
      this.summaries[slot] = toSummary(doc);
      this.columns.set(slot, doc);
      FIELDS.forEach((field, f) => {
        for (const term of this.indexTerms(field.text(doc), false)) this.postings[f]?.add(term, slot);
      });
      this.indexTerms(COMPLETABLE_TEXT(doc), true);
    }
    this.writes++;
    this.compactIfDue();
    await this.building?.upsert(docs);
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const slot = this.slotById.get(id);
      if (slot === undefined) continue;
      this.release(slot);
      this.slotById.delete(id);
    }
    this.writes++;
    this.compactIfDue();
    await this.building?.remove(ids);
  }

  async clear(): Promise<void> {
    this.columns = new VacancyColumns();
    this.vocabulary = new Vocabulary();
    this.dictionary = new TermDictionary();
    this.postings = FIELDS.map(() => new PostingLists());
    this.slotById.clear();
    this.summaries = [];
    this.stored = undefined;
    this.freeSlots = [];
    this.removedSlots = [];
    this.writes++;
    await this.building?.clear();
  }

  /**
   * Fills a second index and then takes over its parts, so searches keep their answers during a reindex (at the
   * cost of holding two indexes in memory until it ends).
   */
  async rebuild(fill: (write: DocumentWriter) => Promise<void>): Promise<void> {
    if (this.building) throw new Error('a rebuild of the embedded search index is already running');
    const fresh = new EmbeddedSearchEngine();
    this.building = fresh;
    try {
      await fill((docs) => fresh.upsert(docs));
    } finally {
      this.building = undefined;
    }
    this.columns = fresh.columns;
    this.vocabulary = fresh.vocabulary;
    this.dictionary = fresh.dictionary;
    this.postings = fresh.postings;
    this.slotById = fresh.slotById;
    this.summaries = fresh.summaries;
    this.stored = fresh.stored;
    this.freeSlots = fresh.freeSlots;
    this.removedSlots = fresh.removedSlots;
    this.writes++;
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const key = answerKey(query);
    if (key === undefined || !this.answers) return this.compute(query);
    return this.answers.get(key, this.writes) ?? this.answers.set(key, this.writes, this.compute(query));
  }

  private compute(query: SearchQuery): SearchResult {
    const filter = toSlotFilter(query);
    const queryWords = this.parseQuery(query.q ?? '');
    this.prepareWorkArrays();
    const found = queryWords.length ? this.match(queryWords) : this.allSlots();
    const candidates = this.candidates;
    const score = queryWords.length ? this.score : undefined;

    // Filter in place: the passing slots move to the front of the candidate array.
    const distances = query.near ? this.distances : undefined;
    const total = this.columns.filter(candidates, found, filter, distances);

    const publishedAt = this.columns.publishedAt;
    const newer = (a: number, b: number) =>
      (publishedAt[a] as number) > (publishedAt[b] as number) ||
      ((publishedAt[a] as number) === (publishedAt[b] as number) && a < b);
    const better =
      query.sort === 'distance' && distances
        ? (a: number, b: number) =>
            (distances[a] as number) < (distances[b] as number) ||
            ((distances[a] as number) === (distances[b] as number) && newer(a, b))
        : query.sort === 'relevance' && score
          ? (a: number, b: number) =>
              (score[a] as number) > (score[b] as number) ||
              ((score[a] as number) === (score[b] as number) && newer(a, b))
          : newer;

    const offset = (query.page - 1) * query.perPage;
    const window = topK(candidates, total, offset + query.perPage, better);
    const hits = window.slice(offset).map((slot) => this.hit(slot, distances, query.near));
    return {
      hits,
      total,
      totalExact: true,
      facets: this.columns.facets(candidates, total),
      page: query.page,
      perPage: query.perPage,
    };
  }

  async get(id: string): Promise<VacancySummary | undefined> {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.summaryOf(slot);
  }

  async count(): Promise<number> {
    return this.slotById.size;
  }

  async health(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  /** The whole index as plain arrays, taken synchronously, so no write can land halfway. */
  toState(): EmbeddedIndexState {
    const slots = this.summaries.length;
    const ids: Array<string | null> = new Array(slots).fill(null);
    for (const [id, slot] of this.slotById) ids[slot] = id;
    return {
      ids,
      summaries: this.storeSummaries(slots),
      freeSlots: [...this.freeSlots],
      removedSlots: [...this.removedSlots],
      columns: this.columns.toBytes(slots),
      terms: [...this.dictionary.terms],
      postings: this.postings.map((p) => p.toBytes(this.dictionary.terms.length)),
      vocabulary: this.vocabulary.toJSON(),
    };
  }

  /**
   * Replaces the whole index with a state taken by `toState`. Checks that the parts fit together and throws before
   * changing anything when they do not, so a damaged state is never served.
   */
  restore(state: EmbeddedIndexState): void {
    const slots = state.ids.length;
    const { json, offsets } = state.summaries;
    if (state.postings.length !== FIELDS.length) throw new Error('snapshot has another number of fields');
    if (offsets.length !== slots + 1 || offsets[0] !== 0 || offsets[slots] !== json.length) {
      throw new Error('summaries and documents differ in length');
    }
    const columns = VacancyColumns.fromBytes(state.columns);
    if (columns.capacity !== slots) throw new Error('columns and documents differ in length');
    const slotById = new Map<string, number>();
    for (let slot = 0; slot < slots; slot++) {
      const id = state.ids[slot] ?? null;
      const alive = columns.alive[slot] === 1;
      const length = (offsets[slot + 1] as number) - (offsets[slot] as number);
      if ((id !== null) !== alive || length > 0 !== alive || length < 0) {
        throw new Error(`slot ${slot}: id, alive flag and summary disagree`);
      }
      if (id !== null) {
        if (slotById.has(id)) throw new Error(`document ${id} in two slots`);
        slotById.set(id, slot);
      }
    }
    const unused = new Set<number>();
    for (const slot of [...state.freeSlots, ...state.removedSlots]) {
      if (!(slot < slots) || columns.alive[slot] !== 0) throw new Error(`slot ${slot} listed as free but in use`);
      // A slot handed out twice would put two documents in one place.
      if (unused.has(slot)) throw new Error(`slot ${slot} listed as free twice`);
      unused.add(slot);
    }
    const postings = state.postings.map((bytes) => {
      if (bytes.lengths.length !== state.terms.length) throw new Error('posting lists and terms differ in number');
      const all = bytes.slots;
      for (let i = 0; i < all.length; i++) {
        if (!((all[i] as number) < slots)) throw new Error(`posting names slot ${all[i]} of ${slots}`);
      }
      return PostingLists.fromBytes(bytes);
    });

    this.columns = columns;
    this.vocabulary = Vocabulary.fromJSON(state.vocabulary);
    this.dictionary = TermDictionary.from(state.terms);
    this.postings = postings;
    this.slotById.clear();
    for (const [id, slot] of slotById) this.slotById.set(id, slot);
    this.summaries = new Array(slots);
    this.stored = state.summaries;
    this.freeSlots = [...state.freeSlots];
    this.removedSlots = [...state.removedSlots];
    this.writes++;
  }

  private summaryOf(slot: number): VacancySummary | undefined {
    if (this.columns.alive[slot] !== 1) return undefined;
    let summary = this.summaries[slot];
    if (!summary && this.stored) {
      const { json, offsets } = this.stored;
      summary = JSON.parse(DECODER.decode(json.subarray(offsets[slot], offsets[slot + 1]))) as VacancySummary;
      this.summaries[slot] = summary;
    }
    return summary;
  }

  /** Summaries of the live slots as JSON text; those still stored are copied, not parsed and written again. */
  private storeSummaries(slots: number): StoredSummaries {
    const offsets = new Float64Array(slots + 1);
    let json = new Uint8Array(1 << 16);
    let length = 0;
    const reserve = (bytes: number) => {
      if (length + bytes <= json.length) return;
      const grown = new Uint8Array(Math.max(json.length * 2, length + bytes));
      grown.set(json.subarray(0, length));
      json = grown;
    };
    for (let slot = 0; slot < slots; slot++) {
      if (this.columns.alive[slot] === 1) {
        const summary = this.summaries[slot];
        if (summary) {
          const text = JSON.stringify(summary);
          reserve(text.length * 3);
          length += ENCODER.encodeInto(text, json.subarray(length)).written;
        } else if (this.stored) {
          const from = this.stored.json.subarray(this.stored.offsets[slot], this.stored.offsets[slot + 1]);
          reserve(from.length);
          json.set(from, length);
          length += from.length;
        }
      }
      offsets[slot + 1] = length;
    }
    return { json: json.slice(0, length), offsets };
  }

  private release(slot: number): void {
    this.columns.unset(slot);
    this.summaries[slot] = undefined;
    this.removedSlots.push(slot);
  }

  private compactIfDue(): void {
    if (this.removedSlots.length < Math.max(MIN_REMOVED_BEFORE_COMPACT, this.slotById.size / 4)) return;
    const alive = this.columns.alive;
    for (const postings of this.postings) postings.compact((slot) => alive[slot] === 1);
    this.freeSlots.push(...this.removedSlots);
    this.removedSlots = [];
  }

  /** Analyses text, feeds the vocabulary and returns the distinct term numbers. */
  private indexTerms(text: string, completable: boolean): Set<number> {
    // A set: only whether a term occurs matters for scoring.
    const terms = new Set<number>();
    for (const { word, term } of analyse(text)) {
      this.vocabulary.add(word, term, completable);
      if (!completable) terms.add(this.dictionary.intern(term));
    }
    return terms;
  }

  /** Each query word becomes a set of acceptable terms: its stem, stems one typo away, and for the last word its completions. */
  private parseQuery(q: string): QueryWord[] {
    const typed = words(q)
      .filter((w) => !isStopWord(w))
      .slice(0, MAX_QUERY_WORDS);
    return typed.map((word, i) => {
      const terms = new Map<string, number>();
      const offer = (term: string, quality: number) => {
        if ((terms.get(term) ?? 0) < quality) terms.set(term, quality);
      };
      if (i === typed.length - 1)
        for (const term of this.vocabulary.completions(word, MAX_COMPLETIONS)) offer(term, COMPLETION_QUALITY);
      if (word.length >= MIN_TYPO_WORD_LENGTH)
        for (const term of this.vocabulary.neighbours(word)) offer(term, TYPO_QUALITY);
      offer(stem(word), 1);
      return { terms };
    });
  }

  private prepareWorkArrays(): void {
    const capacity = this.columns.capacity;
    if (this.score.length < capacity) {
      this.score = new Float32Array(capacity);
      this.best = new Float32Array(capacity);
      this.matched = new Uint32Array(capacity);
      this.candidates = new Uint32Array(capacity);
      this.distances = new Float64Array(capacity);
      this.stamp = 0;
    }
  }

  /**
   * Puts the slots matching every query word (in any field) into `candidates` and their scores into `score`: per
   * word the best field weight × term quality, summed over the words. Returns how many matched.
   */
  private match(queryWords: QueryWord[]): number {
    const { score, best, matched, candidates } = this;
    if (this.stamp > 0xffffffff - 2 * STAMP_STEP) {
      matched.fill(0);
      this.stamp = 0;
    }
    // matched[slot] = stamp + n: the slot matched the first n words of this query. Older stamps are all smaller.
    this.stamp += STAMP_STEP;
    const stamp = this.stamp;
    let touched = 0;
    queryWords.forEach((queryWord, w) => {
      touched = 0;
      for (const [term, quality] of queryWord.terms) {
        const id = this.dictionary.idOf(term);
        if (id === undefined) continue;
        FIELDS.forEach((field, f) => {
          const slots = this.postings[f]?.get(id);
          if (!slots) return;
          const weight = field.weight * quality;
          for (let i = 0; i < slots.length; i++) {
            const slot = slots[i] as number;
            // Only documents that matched every earlier word can still match the whole query.
            if (w > 0 && matched[slot] !== stamp + w) continue;
            if (best[slot] === 0) candidates[touched++] = slot;
            if (weight > (best[slot] as number)) best[slot] = weight;
          }
        });
      }
      for (let i = 0; i < touched; i++) {
        const slot = candidates[i] as number;
        score[slot] = (w === 0 ? 0 : (score[slot] as number)) + (best[slot] as number);
        matched[slot] = stamp + w + 1;
        best[slot] = 0;
      }
    });
    return touched;
  }

  /** Puts every live slot into `candidates`; returns how many. */
  private allSlots(): number {
    const alive = this.columns.alive;
    const candidates = this.candidates;
    let n = 0;
    for (let slot = 0; slot < alive.length; slot++) if (alive[slot] === 1) candidates[n++] = slot;
    return n;
  }

  private hit(slot: number, distances: Float64Array | undefined, near: SearchQuery['near']): SearchHit {
    const summary = this.summaryOf(slot) as VacancySummary;
    if (!distances || !near) return { ...summary };
    return { ...nearestPlaceFirst(summary, near), distanceKm: Math.round((distances[slot] as number) * 10) / 10 };
  }
}

export function createEmbeddedSearchEngine(): EmbeddedSearchEngine {
  return new EmbeddedSearchEngine();
}
