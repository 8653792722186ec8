/** A small seeded PRNG so demo data, benchmarks and evaluation sets are the same on every machine. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T;
  chance(probability: number): boolean;
}

/** mulberry32: fast, 32-bit state, identical on every platform; good for synthetic data, not for secrets. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    weighted(items, weight) {
      const total = items.reduce((sum, item) => sum + weight(item), 0);
      let r = next() * total;
      for (const item of items) {
        r -= weight(item);
        if (r < 0) return item;
      }
      return items[items.length - 1] as (typeof items)[number];
    },
    chance: (p) => next() < p,
  };
}

/** A deterministic UUID (v4 layout) from a namespace and an index, so re-running a seed hits the same rows. */
export function deterministicUuid(namespace: number, index: number): string {
  const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
  const r = createRandom(namespace * 1_000_003 + index);
  const a = hex(Math.floor(r.next() * 2 ** 32), 8);
  const b = hex(Math.floor(r.next() * 2 ** 16), 4);
  const c = `4${hex(Math.floor(r.next() * 2 ** 12), 3)}`;
  const d = `${(8 + Math.floor(r.next() * 4)).toString(16)}${hex(Math.floor(r.next() * 2 ** 12), 3)}`;
  const e = `${hex(namespace, 4)}${hex(index, 8)}`;
  return `${a}-${b}-${c}-${d}-${e}`;
}
