/**
 * The vacancies of one KldB code as dense typed columns: one row per vacancy, rows packed from 0 (removal moves the
 * last row into the gap). A customer query reads a code's rows front to back, so a long commute costs one
 * sequential pass over a few bytes per row, not a random walk over the whole index.
 *
 * Rows come in blocks of `BLOCK_ROWS`, each with a summary that holds for every row in it: a ball around its places
 * (centre and radius on the unit sphere) and its newest publication date. A scan skips a block whose nearest
 * possible place or best possible score rules it out. The index puts a code's rows in spatial order now and then
 * (`reorder`), so that a block covers a small area; rows written since only widen their block's summary, which
 * stays true, just less sharp.
 */
import { grown } from './columns.ts';

export const BLOCK_SHIFT = 6;
export const BLOCK_ROWS = 1 << BLOCK_SHIFT;
/** On the unit sphere: about 6 µm. */
const RADIUS_MARGIN = 1e-12;

const COLUMN_TYPES = {
  /** The vacancy's slot in the index (its record and id). */
  slot: Uint32Array,
  /** FLAG_* bits of vacancy-index.ts. */
  flags: Uint8Array,
  /** Main place as a unit vector. */
  x: Float64Array,
  y: Float64Array,
  z: Float64Array,
  /** Epoch ms; +∞ without an end. */
  validThrough: Float64Array,
  /** Epoch ms; NaN without a start date. */
  startDate: Float64Array,
  publishedAt: Float64Array,
  workingTimes: Uint8Array,
  /** Required licences (a hard constraint). */
  licences: Uint32Array,
  /** Required and preferred licences (the `licences` part). */
  askedLicences: Uint32Array,
  level: Uint8Array,
  /** Listed skills: how many, and their hashed bits (64, in two words). */
  skillCount: Uint8Array,
  skillsLow: Uint32Array,
  skillsHigh: Uint32Array,
  /** Employer preferences: preferred skills as above, minimum requirement level (0: none). */
  preferredSkillCount: Uint8Array,
  preferredSkillsLow: Uint32Array,
  preferredSkillsHigh: Uint32Array,
  preferredMinLevel: Uint8Array,
} as const;

type ColumnName = keyof typeof COLUMN_TYPES;
export type Row = Record<ColumnName, number>;
export type Columns = { [K in ColumnName]: InstanceType<(typeof COLUMN_TYPES)[K]> };
const NAMES = Object.keys(COLUMN_TYPES) as ColumnName[];

function allocate(capacity: number): Columns {
  return Object.fromEntries(NAMES.map((name) => [name, new COLUMN_TYPES[name](capacity)])) as unknown as Columns;
}

const BLOCK_TYPES = {
  /** Centre of the ball around the block's places (any point in space; the mean of the places after a reorder). */
  cx: Float64Array,
  cy: Float64Array,
  cz: Float64Array,
  /** Its radius: no place of the block is farther from the centre (a chord length, like the rows' distances). */
  radius: Float64Array,
  /** Newest `publishedAt` in the block. */
  publishedAt: Float64Array,
  /** 1 when a row of the block may be reached from anywhere (remote, or several places): no distance bound. */
  anywhere: Uint8Array,
} as const;
type BlockName = keyof typeof BLOCK_TYPES;
export type Blocks = { [K in BlockName]: InstanceType<(typeof BLOCK_TYPES)[K]> };
const BLOCK_NAMES = Object.keys(BLOCK_TYPES) as BlockName[];

function allocateBlocks(capacity: number): Blocks {
  return Object.fromEntries(BLOCK_NAMES.map((name) => [name, new BLOCK_TYPES[name](capacity)])) as unknown as Blocks;
}

export class CodeColumns {
  length = 0;
  columns: Columns = allocate(4);
  blocks: Blocks = allocateBlocks(1);
  /** Grid cell → rows with a place in that cell (vacancy-index.ts keeps them in step with moved rows). */
  readonly cells = new Map<number, number[]>();
  /** Rows written since the rows were last put in spatial order: the index reorders when there are many. */
  unordered = 0;

  /** `anywhere`: the FLAG_* bits of rows without a distance bound (vacancy-index.ts). */
  constructor(
    readonly code: string,
    private readonly anywhere: number,
  ) {}

  /** Appends a row; returns its position. */
  append(row: Row): number {
    if (this.length === this.columns.slot.length) {
      const next = this.length * 2;
      this.columns = Object.fromEntries(
        NAMES.map((name) => [name, grown(this.columns[name], next)]),
      ) as unknown as Columns;
      this.blocks = Object.fromEntries(
        BLOCK_NAMES.map((name) => [name, grown(this.blocks[name], blockCount(next))]),
      ) as unknown as Blocks;
    }
    const at = this.length++;
    // Column by column by name: a loop over the names would look each one up at run time (a third of a bulk load).
    const c = this.columns;
    c.slot[at] = row.slot;
    c.flags[at] = row.flags;
    c.x[at] = row.x;
    c.y[at] = row.y;
    c.z[at] = row.z;
    c.validThrough[at] = row.validThrough;
    c.startDate[at] = row.startDate;
    c.publishedAt[at] = row.publishedAt;
    c.workingTimes[at] = row.workingTimes;
    c.licences[at] = row.licences;
    c.askedLicences[at] = row.askedLicences;
    c.level[at] = row.level;
    c.skillCount[at] = row.skillCount;
    c.skillsLow[at] = row.skillsLow;
    c.skillsHigh[at] = row.skillsHigh;
    c.preferredSkillCount[at] = row.preferredSkillCount;
    c.preferredSkillsLow[at] = row.preferredSkillsLow;
    c.preferredSkillsHigh[at] = row.preferredSkillsHigh;
    c.preferredMinLevel[at] = row.preferredMinLevel;
    // The first row of a block that holds no rows yet starts its summary afresh.
    if ((at & (BLOCK_ROWS - 1)) === 0) this.startBlock(at >> BLOCK_SHIFT, at);
    else this.cover(at);
    this.unordered++;
    return at;
  }

  /** Removes the row at `at` by moving the last row into it; returns the moved row's slot, or -1 if none moved. */
  removeAt(at: number): number {
    const last = --this.length;
    this.unordered++;
    if (at === last) return -1;
    for (const name of NAMES) {
      const column = this.columns[name];
      column[at] = column[last] as number;
    }
    this.cover(at);
    return this.columns.slot[at] as number;
  }

  /**
   * Puts the rows in the order given (`order[i]`: the row that becomes row i) and summarises every block afresh.
   * Returns each row's new position by its old one; the caller moves what refers to rows (cells, slot → row).
   */
  reorder(order: Uint32Array): Uint32Array {
    const n = this.length;
    // In place through one scratch copy per column: a second set of columns per code would be new memory outside
    // the heap, and at a million rows that set off full garbage collections that doubled the time of a build.
    for (const name of NAMES) {
      const column = this.columns[name];
      const copy = scratchFor(column, n);
      copy.set(column.subarray(0, n));
      for (let i = 0; i < n; i++) column[i] = copy[order[i] as number] as number;
    }
    const moved = new Uint32Array(n);
    for (let i = 0; i < n; i++) moved[order[i] as number] = i;
    for (let block = 0; block < blockCount(n); block++) this.summarise(block);
    this.unordered = 0;
    return moved;
  }

  /** A block's summary from its rows: the mean of its places as the centre, the farthest place as the radius. */
  private summarise(block: number): void {
    const from = block << BLOCK_SHIFT;
    const to = Math.min(from + BLOCK_ROWS, this.length);
    const { x, y, z } = this.columns;
    let sx = 0;
    let sy = 0;
    let sz = 0;
    for (let r = from; r < to; r++) {
      sx += x[r] as number;
      sy += y[r] as number;
      sz += z[r] as number;
    }
    const b = this.blocks;
    b.cx[block] = sx / (to - from);
    b.cy[block] = sy / (to - from);
    b.cz[block] = sz / (to - from);
    b.radius[block] = 0;
    b.publishedAt[block] = Number.NEGATIVE_INFINITY;
    b.anywhere[block] = 0;
    for (let r = from; r < to; r++) this.cover(r);
  }

  private startBlock(block: number, at: number): void {
    const b = this.blocks;
    const { x, y, z } = this.columns;
    b.cx[block] = x[at] as number;
    b.cy[block] = y[at] as number;
    b.cz[block] = z[at] as number;
    b.radius[block] = 0;
    b.publishedAt[block] = Number.NEGATIVE_INFINITY;
    b.anywhere[block] = 0;
    this.cover(at);
  }

  /** Widens the summary of the row's block so that it holds for the row too. */
  private cover(at: number): void {
    const block = at >> BLOCK_SHIFT;
    const b = this.blocks;
    const c = this.columns;
    const dx = (c.x[at] as number) - (b.cx[block] as number);
    const dy = (c.y[at] as number) - (b.cy[block] as number);
    const dz = (c.z[at] as number) - (b.cz[block] as number);
    // A hair wider than measured, so that rounding never puts a row outside its block's ball.
    const distance = Math.sqrt(dx * dx + dy * dy + dz * dz) + RADIUS_MARGIN;
    if (distance > (b.radius[block] as number)) b.radius[block] = distance;
    if ((c.publishedAt[at] as number) > (b.publishedAt[block] as number))
      b.publishedAt[block] = c.publishedAt[at] as number;
    if (((c.flags[at] as number) & this.anywhere) !== 0) b.anywhere[block] = 1;
  }
}

export const blockCount = (rows: number): number => (rows + BLOCK_ROWS - 1) >> BLOCK_SHIFT;

/** Scratch arrays for `reorder`, one per element type, shared by all codes and grown as needed. */
const scratch = new Map<unknown, Float64Array | Uint32Array | Uint8Array>();

function scratchFor<T extends Float64Array | Uint32Array | Uint8Array>(column: T, n: number): T {
  const type = column.constructor as new (length: number) => T;
  let array = scratch.get(type) as T | undefined;
  if (!array || array.length < n) {
    array = new type(Math.max(n, 1024));
    scratch.set(type, array);
  }
  return array;
}
