/**
 * The default, in-process search engine. FlexSearch holds the posting lists (term → documents) for three fields;
 * German analysis, typo and prefix expansion, scoring, filters, facets and sorting are ours, on typed arrays.
 * Why FlexSearch and how fast this is at 100,000 vacancies: docs/search-engine.md.
 */
import { Index } from 'flexsearch';
import { toSummary, type VacancyDocument, type VacancySummary } from '../vacancies/vacancy.ts';
import { toSlotFilter, VacancyColumns } from './columns.ts';
import { analyse, isStopWord, stem, words } from './german.ts';
import { nearestPlaceFirst } from './nearest-place.ts';
import type { SearchEngine, SearchHit, SearchQuery, SearchResult } from './search-engine.ts';
import { topK } from './top-k.ts';
import { Vocabulary } from './vocabulary.ts';

/** Field weights: a title hit counts three times a hit in the body text. */
const FIELDS = [
  { name: 'title', weight: 3, text: (d: VacancyDocument) => d.title },
  { name: 'occupation', weight: 1.5, text: (d: VacancyDocument) => d.kldbTitle ?? '' },
  {
    name: 'body',
    weight: 1,
    text: (d: VacancyDocument) => [d.employerName, d.place, d.plz, d.description].filter(Boolean).join(' '),
  },
] as const;
/** Fields whose words are offered as completions of the last typed word; description words would only add noise. */
const COMPLETABLE_TEXT = (d: VacancyDocument) => [d.title, d.kldbTitle, d.employerName, d.place].join(' ');

/** Scores relative to an exact term match: typos and completions rank below what was typed. */
const TYPO_QUALITY = 0.5;
const COMPLETION_QUALITY = 0.75;
const MIN_TYPO_WORD_LENGTH = 5;
const MAX_COMPLETIONS = 20;
const MAX_QUERY_WORDS = 8;

interface QueryWord {
  /** Terms any of which satisfies this word, each with its quality. */
  terms: Map<string, number>;
}

function newTextIndex(): Index {
  // Terms arrive analysed (see `analyse`), so FlexSearch only splits them; fastupdate keeps removals cheap.
  return new Index({ tokenize: 'strict', fastupdate: true, encode: (text: string) => text.split(' ') });
}

export class EmbeddedSearchEngine implements SearchEngine {
  private readonly columns = new VacancyColumns();
  private readonly vocabulary = new Vocabulary();
  private texts = FIELDS.map(() => newTextIndex());
  private readonly slotById = new Map<string, number>();
  private summaries: Array<VacancySummary | undefined> = [];
  private freeSlots: number[] = [];

  async init(): Promise<void> {}

  async upsert(docs: readonly VacancyDocument[]): Promise<void> {
    for (const doc of docs) {
      const existing = this.slotById.get(doc.id);
      if (existing !== undefined) this.removeText(existing);
      const slot = existing ?? this.freeSlots.pop() ?? this.summaries.length;
      this.slotById.set(doc.id, slot);
      this.summaries[slot] = toSummary(doc);
      this.columns.set(slot, doc);
      FIELDS.forEach((field, i) => {
        const terms = this.indexTerms(field.text(doc), false);
        if (terms) this.texts[i]?.add(slot, terms);
      });
      this.indexTerms(COMPLETABLE_TEXT(doc), true);
    }
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const slot = this.slotById.get(id);
      if (slot === undefined) continue;
      this.removeText(slot);
      this.columns.unset(slot);
      this.summaries[slot] = undefined;
      this.slotById.delete(id);
      this.freeSlots.push(slot);
    }
  }

  async clear(): Promise<void> {
    this.texts = FIELDS.map(() => newTextIndex());
    this.vocabulary.clear();
    this.slotById.clear();
    this.summaries = [];
    this.freeSlots = [];
    for (let slot = 0; slot < this.columns.capacity; slot++) this.columns.unset(slot);
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const filter = toSlotFilter(query);
    const queryWords = this.parseQuery(query.q ?? '');
    const scores = queryWords.length ? this.score(queryWords) : undefined;
    const candidates = scores ? scores.slots : this.allSlots();

    // Filter in place: the passing slots move to the front of the candidate array.
    const distances = query.near ? new Float64Array(this.columns.capacity) : undefined;
    let total = 0;
    for (let i = 0; i < candidates.length; i++) {
      const slot = candidates[i] as number;
      const km = this.columns.test(slot, filter);
      if (km < 0) continue;
      if (distances) distances[slot] = km;
      candidates[total++] = slot;
    }

    const publishedAt = this.columns.publishedAt;
    const newer = (a: number, b: number) =>
      (publishedAt[a] as number) > (publishedAt[b] as number) ||
      ((publishedAt[a] as number) === (publishedAt[b] as number) && a < b);
    const better =
      query.sort === 'distance' && distances
        ? (a: number, b: number) =>
            (distances[a] as number) < (distances[b] as number) ||
            ((distances[a] as number) === (distances[b] as number) && newer(a, b))
        : query.sort === 'relevance' && scores
          ? (a: number, b: number) =>
              (scores.score[a] as number) > (scores.score[b] as number) ||
              ((scores.score[a] as number) === (scores.score[b] as number) && newer(a, b))
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
    return slot === undefined ? undefined : this.summaries[slot];
  }

  async count(): Promise<number> {
    return this.slotById.size;
  }

  async health(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  /** Analyses text, feeds the vocabulary and returns the index terms as FlexSearch content. */
  private indexTerms(text: string, completable: boolean): string {
    // A set: only whether a term occurs matters for scoring, and repeats would cost FlexSearch time per occurrence.
    const terms = new Set<string>();
    for (const { word, term } of analyse(text)) {
      this.vocabulary.add(word, term, completable);
      terms.add(term);
    }
    return [...terms].join(' ');
  }

  private removeText(slot: number): void {
    for (const text of this.texts) text.remove(slot);
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

  /**
   * Documents matching every query word (in any field), with a score: per word the best field weight × term
   * quality, summed over the words.
   */
  private score(queryWords: QueryWord[]): { slots: Uint32Array; score: Float32Array } {
    const capacity = this.columns.capacity;
    const score = new Float32Array(capacity);
    const matchedWords = new Uint8Array(capacity);
    const best = new Float32Array(capacity);
    let touched: number[] = [];
    queryWords.forEach((queryWord, wordIndex) => {
      touched = [];
      for (const [term, quality] of queryWord.terms) {
        FIELDS.forEach((field, f) => {
          const weight = field.weight * quality;
          const slots = (this.texts[f]?.search(term, { limit: capacity }) ?? []) as number[];
          for (const slot of slots) {
            // Only documents that matched every earlier word can still match the whole query.
            if (matchedWords[slot] !== wordIndex) continue;
            if (best[slot] === 0) touched.push(slot);
            if (weight > (best[slot] as number)) best[slot] = weight;
          }
        });
      }
      for (const slot of touched) {
        score[slot] = (score[slot] as number) + (best[slot] as number);
        matchedWords[slot] = wordIndex + 1;
        best[slot] = 0;
      }
    });
    return { slots: Uint32Array.from(touched), score };
  }

  private allSlots(): Uint32Array {
    const slots = new Uint32Array(this.slotById.size);
    let n = 0;
    for (const slot of this.slotById.values()) slots[n++] = slot;
    return slots;
  }

  private hit(slot: number, distances: Float64Array | undefined, near: SearchQuery['near']): SearchHit {
    const summary = this.summaries[slot] as VacancySummary;
    if (!distances || !near) return { ...summary };
    return { ...nearestPlaceFirst(summary, near), distanceKm: Math.round((distances[slot] as number) * 10) / 10 };
  }
}

export function createEmbeddedSearchEngine(): SearchEngine {
  return new EmbeddedSearchEngine();
}
