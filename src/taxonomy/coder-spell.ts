/**
 * One-typo correction against the coder's vocabulary ("lagerhefler" → "lagerhelfer", "reinigunskraft" →
 * "reinigungskraft"). Uses the deletion trick (SymSpell): a word and every form of it with one letter removed point
 * to the word, so insertions, deletions, substitutions and most swaps are found with a few map lookups.
 */
const MIN_LENGTH = 6;

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

export class SpellIndex {
  private readonly byKey = new Map<string, string[]>();

  /** @param rank orders candidates when a typo is one edit from several words (higher wins). */
  constructor(
    words: Iterable<string>,
    private readonly rank: (word: string) => number,
  ) {
    for (const w of words) {
      if (w.length < MIN_LENGTH) continue;
      for (const key of [w, ...deletions(w)]) {
        const list = this.byKey.get(key);
        if (list) list.push(w);
        else this.byKey.set(key, [w]);
      }
    }
  }

  /** The known word one edit away, or null when there is none or the word is too short to correct safely. */
  correct(word: string): string | null {
    if (word.length < MIN_LENGTH) return null;
    let best: string | null = null;
    for (const key of [word, ...deletions(word)]) {
      for (const candidate of this.byKey.get(key) ?? []) {
        if (best === null || this.rank(candidate) > this.rank(best)) best = candidate;
      }
    }
    return best;
  }
}
