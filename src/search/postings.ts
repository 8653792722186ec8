/**
 * The embedded index's posting lists: for each term, the slots of the documents containing it, as a growable
 * Uint32Array. Plain typed arrays instead of a library's internal structure because a query walks them directly
 * (no result arrays built per term), and because they can be written to and read from a snapshot as raw bytes.
 *
 * Removal is lazy: a removed slot stays in the lists until `compact`, and readers skip it through the columns'
 * alive flag. Removing a slot eagerly would shift the long lists of common words ("mitarbeiter": most of the pool)
 * once per removed document.
 */

const INITIAL_LIST_CAPACITY = 4;

/** Term text ↔ term number, shared by the fields. */
export class TermDictionary {
  private readonly ids = new Map<string, number>();
  readonly terms: string[] = [];

  idOf(term: string): number | undefined {
    return this.ids.get(term);
  }

  /** The term's number, assigned on first sight. */
  intern(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.terms.push(term);
      this.ids.set(term, id);
    }
    return id;
  }

  static from(terms: readonly string[]): TermDictionary {
    const dictionary = new TermDictionary();
    for (const term of terms) dictionary.intern(term);
    return dictionary;
  }
}

/** The raw form of one field's lists: the length of each term's list, then all lists one after another. */
export interface PostingBytes {
  lengths: Uint32Array;
  slots: Uint32Array;
}

export class PostingLists {
  private lists: Array<Uint32Array | undefined> = [];
  private lengths: number[] = [];

  add(term: number, slot: number): void {
    let list = this.lists[term];
    const length = this.lengths[term] ?? 0;
    if (!list || length === list.length) {
      const grown = new Uint32Array(Math.max(INITIAL_LIST_CAPACITY, length * 2));
      if (list) grown.set(list.subarray(0, length));
      list = grown;
      this.lists[term] = list;
    }
    list[length] = slot;
    this.lengths[term] = length + 1;
  }

  /** The slots containing the term, removed ones included until the next `compact`. A view: do not keep it. */
  get(term: number): Uint32Array | undefined {
    return this.lists[term]?.subarray(0, this.lengths[term]);
  }

  /** Drops every slot `keep` rejects. */
  compact(keep: (slot: number) => boolean): void {
    this.lists.forEach((list, term) => {
      if (!list) return;
      const length = this.lengths[term] as number;
      let kept = 0;
      for (let i = 0; i < length; i++) {
        const slot = list[i] as number;
        if (keep(slot)) list[kept++] = slot;
      }
      this.lengths[term] = kept;
    });
  }

  toBytes(termCount: number): PostingBytes {
    const lengths = new Uint32Array(termCount);
    let total = 0;
    for (let term = 0; term < termCount; term++) {
      lengths[term] = this.lengths[term] ?? 0;
      total += lengths[term] as number;
    }
    const slots = new Uint32Array(total);
    let offset = 0;
    for (let term = 0; term < termCount; term++) {
      const length = lengths[term] as number;
      if (length) slots.set((this.lists[term] as Uint32Array).subarray(0, length), offset);
      offset += length;
    }
    return { lengths, slots };
  }

  /** Lists as views into `slots`: no copy; a list is copied out only when it grows. */
  static fromBytes({ lengths, slots }: PostingBytes): PostingLists {
    const postings = new PostingLists();
    let offset = 0;
    for (let term = 0; term < lengths.length; term++) {
      const length = lengths[term] as number;
      if (length) postings.lists[term] = slots.subarray(offset, offset + length);
      postings.lengths[term] = length;
      offset += length;
    }
    if (offset !== slots.length) throw new Error('posting lists do not add up');
    return postings;
  }
}
