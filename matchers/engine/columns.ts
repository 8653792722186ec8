/**
 * Columnar storage shared by the candidate indexes: records get dense slots (freed slots reused), and the fields the
 * cheap filters read sit in typed arrays indexed by slot, with sets of values packed into bit masks.
 */
import { Licence, WorkingTime } from '../../src/domain/enums.ts';

export const WORKING_TIME_BIT = new Map(WorkingTime.options.map((t, i) => [t, 1 << i]));
export const LICENCE_BIT = new Map(Licence.options.map((l, i) => [l, 1 << i]));

export function maskOf<T>(values: Iterable<T>, bits: ReadonlyMap<T, number>): number {
  let mask = 0;
  for (const v of values) mask |= bits.get(v) ?? 0;
  return mask;
}

/** Number of set bits of a 32-bit mask. */
export function bitCount(mask: number): number {
  let m = mask >>> 0;
  m -= (m >>> 1) & 0x55555555;
  m = (m & 0x33333333) + ((m >>> 2) & 0x33333333);
  return Math.imul((m + (m >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

export function grown<T extends Float64Array | Uint8Array | Uint32Array>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

export function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

/** Removes a value; returns true when its set became empty and was dropped. */
export function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (!set) return false;
  set.delete(value);
  if (set.size > 0) return false;
  map.delete(key);
  return true;
}

/**
 * Removes a value from an unordered list of slots or rows by moving the last entry into its place. A plain array of
 * small integers is compact and iterates as fast as a typed one, and most lists here are short.
 */
export function removeUnordered(list: number[], value: number): boolean {
  const at = list.lastIndexOf(value);
  if (at < 0) return false;
  const last = list.pop() as number;
  if (at < list.length) list[at] = last;
  return true;
}

/**
 * Per-query "seen" marks, one per slot, so a record reachable along several paths (several places, several target
 * codes) is looked at once without a Set per query.
 */
export class SeenMarks {
  private marks = new Uint32Array(1024);
  private epoch = 0;

  /** Starts a query; returns its mark. */
  next(capacity: number): number {
    if (this.marks.length < capacity) this.marks = grown(this.marks, capacity);
    if (this.epoch === 0xffffffff) {
      this.marks.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }

  /** True the first time a slot is seen in the query with this mark. */
  first(slot: number, mark: number): boolean {
    if (this.marks[slot] === mark) return false;
    this.marks[slot] = mark;
    return true;
  }
}

/** Slot bookkeeping shared by both indexes: ids to dense slots, freed slots reused. */
export class Slots<T extends { id: string }> {
  readonly items: Array<T | undefined> = [];
  readonly byId = new Map<string, number>();
  private readonly free: number[] = [];

  get size(): number {
    return this.byId.size;
  }

  take(item: T): number {
    const slot = this.free.pop() ?? this.items.length;
    this.items[slot] = item;
    this.byId.set(item.id, slot);
    return slot;
  }

  release(id: string): number | undefined {
    const slot = this.byId.get(id);
    if (slot === undefined) return undefined;
    this.byId.delete(id);
    this.items[slot] = undefined;
    this.free.push(slot);
    return slot;
  }
}
