/**
 * Recent answers of the embedded engine, each valid only while the index is exactly as it was when the answer was
 * computed (the engine's write counter). Kiosks ask the same few searches over and over ("Lager", "Pflege" near the
 * branch), and the broad ones cost milliseconds of facet counting each; any write to the index (an ingest batch, a
 * closed vacancy) makes every kept answer stale at once, so an answer is never older than the index it came from.
 */
import type { SearchQuery, SearchResult } from './search-engine.ts';

/** Answers kept; the least recently used goes first. About 5 kB each (one page of summaries plus facets). */
export const ANSWER_CACHE_SIZE = 1_000;

/**
 * The query's identity for the cache, or undefined for a query that must not be cached: `publishedSince` is an
 * instant derived from the clock at each request, so no two such queries are the same.
 */
export function answerKey(query: SearchQuery): string | undefined {
  if (query.publishedSince !== undefined) return undefined;
  const near = query.near ? `${query.near.lat},${query.near.lon},${query.near.radiusKm}` : '';
  return [
    query.q ?? '',
    near,
    query.kldb ?? '',
    query.workingTimes?.join(',') ?? '',
    query.contractType ?? '',
    query.offerType ?? '',
    query.sort,
    query.page,
    query.perPage,
  ].join('\u0000');
}

/**
 * Answers for one state of the index: the first lookup or store at another version empties it, so stale answers
 * never outlive a write for long nor take memory.
 */
export class AnswerCache {
  private readonly answers = new Map<string, SearchResult>();
  private version = -1;

  constructor(private readonly capacity = ANSWER_CACHE_SIZE) {}

  /** The answer kept for `key` if the index is still at `version`. */
  get(key: string, version: number): SearchResult | undefined {
    this.moveTo(version);
    const result = this.answers.get(key);
    if (result === undefined) return undefined;
    this.answers.delete(key);
    this.answers.set(key, result); // most recently used last
    return result;
  }

  /** Keeps a frozen answer and returns it: callers share it, so none may change it for the next. */
  set(key: string, version: number, result: SearchResult): SearchResult {
    this.moveTo(version);
    const frozen = deepFreeze(result);
    this.answers.set(key, frozen);
    if (this.answers.size > this.capacity) this.answers.delete(this.answers.keys().next().value as string);
    return frozen;
  }

  get size(): number {
    return this.answers.size;
  }

  private moveTo(version: number): void {
    if (version === this.version) return;
    this.answers.clear();
    this.version = version;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
