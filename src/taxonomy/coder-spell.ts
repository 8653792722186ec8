/**
 * Typo correction against the coder's vocabulary ("lagerhefler" → "lagerhelfer", "reinigunskraft" →
 * "reinigungskraft", "kommisionierer" → "kommissionierer"). Candidates come from a trigram index (words sharing
 * enough letter triples), and the closest by edit distance (insertions, deletions, substitutions, swaps) wins: one
 * edit for words of 5 to 9 letters, two for longer ones, where a second slip is common and a wrong word two edits
 * away is rare. Built lazily: most titles need no correction, and the index costs time to build.
 */
const MIN_LENGTH = 5;
const LONG_WORD = 10;
/** At most this many candidates (most shared trigrams first) are compared by edit distance. */
const MAX_CANDIDATES = 40;

function trigrams(word: string): string[] {
  const padded = `^${word}$`;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return [...out];
}

/** Optimal string alignment distance, stopping early once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (prevPrev[j - 2] as number) + 1);
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length] as number;
}

export class SpellIndex {
  private words: string[] = [];
  private byTrigram: Map<string, number[]> | null = null;

  /** @param rank orders candidates at the same distance (higher wins: the more frequent word is the likelier intent). */
  constructor(
    private readonly vocabulary: Iterable<string>,
    private readonly rank: (word: string) => number,
  ) {}

  private build(): Map<string, number[]> {
    const byTrigram = new Map<string, number[]>();
    for (const w of this.vocabulary) {
      if (w.length < MIN_LENGTH - 1) continue;
      const id = this.words.push(w) - 1;
      for (const t of trigrams(w)) {
        const list = byTrigram.get(t);
        if (list) list.push(id);
        else byTrigram.set(t, [id]);
      }
    }
    return byTrigram;
  }

  /** The known word closest to `word` within the allowed edits, or null. */
  correct(word: string): string | null {
    if (word.length < MIN_LENGTH) return null;
    this.byTrigram ??= this.build();
    const max = word.length >= LONG_WORD ? 2 : 1;
    const grams = trigrams(word);
    const shared = new Map<number, number>();
    for (const t of grams) for (const id of this.byTrigram.get(t) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
    // Each edit spoils at most three trigrams.
    const needed = Math.max(1, grams.length - 3 * max);
    const candidates = [...shared].filter(([, n]) => n >= needed).sort((a, b) => b[1] - a[1]);
    let best: string | null = null;
    let bestDistance = max + 1;
    for (const [id] of candidates.slice(0, MAX_CANDIDATES)) {
      const candidate = this.words[id] as string;
      const d = editDistance(word, candidate, max);
      if (d < bestDistance || (d === bestDistance && best !== null && this.rank(candidate) > this.rank(best))) {
        if (d > max) continue;
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }
}
