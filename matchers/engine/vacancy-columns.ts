/**
 * The vacancies of one KldB code as dense typed columns: one row per vacancy, rows packed from 0 (removal moves the
 * last row into the gap). A customer query reads a code's rows front to back, so a long commute costs one
 * sequential pass over a few bytes per row, not a random walk over the whole index.
 */
import { grown } from './columns.ts';

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

export class CodeColumns {
  length = 0;
  columns: Columns = allocate(4);
  /** Grid cell → rows with a place in that cell (vacancy-index.ts keeps them in step with moved rows). */
  readonly cells = new Map<number, number[]>();

  constructor(readonly code: string) {}

  /** Appends a row; returns its position. */
  append(row: Row): number {
    if (this.length === this.columns.slot.length) {
      const next = this.length * 2;
      this.columns = Object.fromEntries(
        NAMES.map((name) => [name, grown(this.columns[name], next)]),
      ) as unknown as Columns;
    }
    const at = this.length++;
    for (const name of NAMES) this.columns[name][at] = row[name];
    return at;
  }

  /** Removes the row at `at` by moving the last row into it; returns the moved row's slot, or -1 if none moved. */
  removeAt(at: number): number {
    const last = --this.length;
    if (at === last) return -1;
    for (const name of NAMES) {
      const column = this.columns[name];
      column[at] = column[last] as number;
    }
    return this.columns.slot[at] as number;
  }
}
