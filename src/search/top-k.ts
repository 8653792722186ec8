/**
 * The best `k` of `count` slots in order, without sorting them all: the result window is capped at 1,000 while a
 * broad query can match most of the pool, so a bounded heap (n log k) beats a full sort (n log n).
 */
export function topK(
  slots: Uint32Array,
  count: number,
  k: number,
  better: (a: number, b: number) => boolean,
): number[] {
  // Min-heap by "better": the root is the worst slot kept so far.
  const heap: number[] = [];
  const worse = (i: number, j: number) => better(heap[j] as number, heap[i] as number);
  const swap = (i: number, j: number) => {
    const t = heap[i] as number;
    heap[i] = heap[j] as number;
    heap[j] = t;
  };
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && worse(l, worst)) worst = l;
      if (r < heap.length && worse(r, worst)) worst = r;
      if (worst === i) return;
      swap(i, worst);
      i = worst;
    }
  };
  for (let n = 0; n < count; n++) {
    const slot = slots[n] as number;
    if (heap.length < k) {
      heap.push(slot);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (k > 0 && better(slot, heap[0] as number)) {
      heap[0] = slot;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
}
