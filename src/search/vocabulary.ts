/**
 * The folded words the embedded index has seen, each with its index term (stem). Query words are expanded through
 * it: typos to words one edit away, the last typed word to its completions. Expanding against the vocabulary
 * instead of indexing every prefix keeps the index small and the expansion bounded.
 */
import { withinOneEdit } from './german.ts';

interface Entry {
  term: string;
  /** Occurrences counted at indexing; never decremented on removal, so it only orders completions. */
  frequency: number;
  /** Seen in a short field (title, occupation, employer, place); only those are offered as completions. */
  completable: boolean;
}

export type VocabularyEntry = [word: string, term: string, frequency: number, completable: boolean];

export class Vocabulary {
  private readonly entries = new Map<string, Entry>();
  /** Rebuilt on the first lookup after new words arrived: one sort per batch instead of one insert per word. */
  private completableSorted: string[] | undefined;
  private byLength: Map<number, string[]> | undefined;

  add(word: string, term: string, completable: boolean): void {
    const entry = this.entries.get(word);
    if (entry) {
      entry.frequency++;
      if (completable && !entry.completable) {
        entry.completable = true;
        this.completableSorted = undefined;
      }
      return;
    }
    this.entries.set(word, { term, frequency: 1, completable });
    this.completableSorted = undefined;
    this.byLength = undefined;
  }

  clear(): void {
    this.entries.clear();
    this.completableSorted = undefined;
    this.byLength = undefined;
  }

  /** Every word as [word, term, frequency, completable], for a snapshot. */
  toJSON(): VocabularyEntry[] {
    return [...this.entries].map(([word, e]) => [word, e.term, e.frequency, e.completable]);
  }

  static fromJSON(entries: readonly VocabularyEntry[]): Vocabulary {
    const vocabulary = new Vocabulary();
    for (const [word, term, frequency, completable] of entries) {
      vocabulary.entries.set(word, { term, frequency, completable });
    }
    return vocabulary;
  }

  /** Terms of the `limit` most frequent completable words starting with `prefix` (the prefix itself included). */
  completions(prefix: string, limit: number): string[] {
    const sorted = this.sortedCompletable();
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: Entry[] = [];
    for (let i = lo; i < sorted.length && (sorted[i] as string).startsWith(prefix); i++) {
      found.push(this.entries.get(sorted[i] as string) as Entry);
    }
    if (found.length > limit) found.sort((a, b) => b.frequency - a.frequency);
    return [...new Set(found.slice(0, limit).map((e) => e.term))];
  }

  /** Terms of words within one edit (insert, delete, substitute, swap) of `word`, the word itself excluded. */
  neighbours(word: string): string[] {
    const byLength = this.lengthBuckets();
    const terms = new Set<string>();
    for (let length = word.length - 1; length <= word.length + 1; length++) {
      for (const candidate of byLength.get(length) ?? []) {
        if (candidate !== word && withinOneEdit(word, candidate))
          terms.add((this.entries.get(candidate) as Entry).term);
      }
    }
    return [...terms];
  }

  private sortedCompletable(): string[] {
    this.completableSorted ??= [...this.entries]
      .filter(([, e]) => e.completable)
      .map(([w]) => w)
      .sort();
    return this.completableSorted;
  }

  private lengthBuckets(): Map<number, string[]> {
    if (!this.byLength) {
      this.byLength = new Map();
      for (const word of this.entries.keys()) {
        const bucket = this.byLength.get(word.length);
        if (bucket) bucket.push(word);
        else this.byLength.set(word.length, [word]);
      }
    }
    return this.byLength;
  }
}
