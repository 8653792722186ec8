/**
 * Candidate narrowing for a customer's list, built for a million vacancies.
 *
 * Each KldB code (a small integer id, grouped by Berufshauptgruppe) holds its vacancies as dense typed columns
 * (vacancy-columns.ts) and files their rows under a coarse geo grid (every place's cell). A query only touches codes
 * of the customer's Berufshauptgruppen (anything else fails `occupation_field`), best possible score first, and stops
 * once the list is settled. Per code it either visits the grid cells within the commute radius or, when those would
 * cost more than reading all the code's rows (long commutes, small codes), scans the columns front to back: a row
 * costs a few array reads and a chord on the unit sphere, no trigonometry.
 *
 * Each row that passes the cheap filters gets an upper bound of its score from the columns alone: occupation, level,
 * working time, licences and freshness exactly, distance from a lower bound of the commute, skills and employer
 * preferences from hashed skill masks, languages at the most the vacancy allows. Rows whose bound can still enter the
 * list are bucketed by bound and scored best bucket first, until the list beats the next bucket, so a long commute
 * costs one pass over the code's columns and a few dozen full scorings instead of thousands.
 *
 * A scan reads less than all rows: a code's rows are kept in spatial order in blocks of 64 with a summary each (a ball
 * around their places, their newest publication date), and a block whose summary bounds every row below the list's
 * threshold, or beyond the commute, is skipped whole. So that the threshold is real from the start, a large code's
 * scan is preceded by the rows in and around the customer's own grid cell. Scoring uses the full
 * constraints and the same code as the brute-force scorer, so the narrowed top list equals the brute-force one
 * (tested, and compared at 1,000,000 vacancies by `npm run bench:match`).
 */
import type { MatchProfile } from '../../src/domain/customer.ts';
import { distanceKm } from '../../src/geo/plz.ts';
import { customerCapNote, NO_OPEN_PROPOSALS, vacancyAtCapNote } from './caps.ts';
import {
  bitCount,
  grown,
  LICENCE_BIT,
  maskOf,
  removeUnordered,
  SeenMarks,
  Slots,
  WORKING_TIME_BIT,
} from './columns.ts';
import { commuteKm, isRemote, pairContext } from './constraints.ts';
import { isEligible } from './eligibility.ts';
import { normaliseSkill, profileFacts } from './facts.ts';
import { finish, limitOf, offer, type RankOptions, type RankOutput, TopK } from './rank.ts';
import { askedLanguages, askedLicences, bestTarget } from './score.ts';
import type { MatchVacancy } from './types.ts';
import { BLOCK_ROWS, BLOCK_SHIFT, CodeColumns, type Row } from './vacancy-columns.ts';
import {
  AVAILABILITY_WINDOW_DAYS,
  CAPS,
  DISTANCE_FULL_KM,
  FRESH_FULL_DAYS,
  FRESH_ZERO_DAYS,
  LEVEL_FIT,
  NEUTRAL_VALUE,
  WEIGHTS,
} from './weights.ts';

const DAY_MS = 86_400_000;
/** Grid cells of about 11 × 11 km in southern Germany. */
const CELL_LAT_DEG = 0.1;
const CELL_LON_DEG = 0.15;
const KM_PER_DEG_LAT = 111.19;
/** Beyond this radius the grid is not consulted: the code's list is scanned. */
const GRID_MAX_RADIUS_KM = 200;
/** Nearer the poles the grid's box is not trusted (and it cannot wrap at ±180°): the scan is exact everywhere. */
const GRID_MAX_ABS_LAT = 80;
/**
 * One grid cell costs about as much as this many rows scanned: a scan rejects a distant row after reading three
 * columns in order, so the grid pays only for small boxes over large codes (at 1,000,000 vacancies, scanning was as
 * fast or faster than the grid for radii of 10–200 km wherever a code had fewer rows than this × the box's cells).
 */
const CELL_COST_ROWS = 100;
const REMOTE_CELL = -1;
/**
 * A long scan first fills the list from the rows near home (the likeliest best ones: the home cell of the grid and
 * its eight neighbours), so that the scan starts with a real threshold, against which most blocks and rows fail
 * their bound. Only for codes large enough that the scan dominates.
 */
const SEED_MIN_ROWS = 4_000;
/** Guards bound comparisons against floating-point noise in summed scores. */
const BOUND_EPSILON = 1e-9;
/** Score buckets per point (a power of two, so bucket edges are exact). */
const BUCKETS_PER_POINT = 2;
/**
 * Kilometres per radian of the distance function the constraints use, read from it so the chord bound below stays
 * a lower bound of its result whatever Earth radius it takes; the factor and margin absorb rounding.
 */
const KM_PER_RADIAN = ((distanceKm({ lat: 0, lon: 0 }, { lat: 1, lon: 0 }) * 180) / Math.PI) * (1 - 1e-9);
const CHORD_MARGIN_KM = 1e-6;

/*
 * The scan loop reads these per row. Imported bindings can compile to getters (tsx's transform does so), so the loop
 * uses module-level copies.
 */
const countBits = bitCount;
const commute = commuteKm;
const DISTANCE_MAX = WEIGHTS.distance;
const SKILLS_MAX = WEIGHTS.skills;
const LICENCES_MAX = WEIGHTS.licences;
const LANGUAGES_MAX = WEIGHTS.languages;
const PREFERENCES_MAX = WEIGHTS.employerPreferences;
const FRESHNESS_MAX = WEIGHTS.freshness;
const WORKING_TIME_MAX = WEIGHTS.workingTime;
const NEUTRAL = NEUTRAL_VALUE;
const FULL_KM = DISTANCE_FULL_KM;
const FRESH_DAYS = FRESH_FULL_DAYS;
const FRESH_SPAN_DAYS = FRESH_ZERO_DAYS - FRESH_FULL_DAYS;
/** The parts the first bound check leaves at their maximum. */
const REST_MAX = WORKING_TIME_MAX + LICENCES_MAX + SKILLS_MAX + LANGUAGES_MAX + PREFERENCES_MAX;

const FLAG_REMOTE = 1;
/** Several places: the nearest one counts, so the row's commute is computed exactly. */
const FLAG_PLACES = 2;
/** The working-time options are distinct, so the share is exact from the mask. */
const FLAG_TIMES_DISTINCT = 4;
/** Every listed skill has its own bit in the skill mask, so held skills can be counted from it (as an upper bound). */
const FLAG_SKILLS_DISTINCT = 8;
const FLAG_PREFERENCES = 16;
const FLAG_PREFERRED_SKILLS_DISTINCT = 32;
const FLAG_LANGUAGES_ASKED = 64;
/** Rows the distance bound of a block cannot speak for: reached from anywhere, or by the nearest of several places. */
const ANYWHERE = FLAG_REMOTE | FLAG_PLACES;
/**
 * A code's rows are put in spatial order again once this share of them was written since the last time (and at
 * least `REORDER_MIN_ROWS`): rows appended or moved into a gap widen their block's summary, which then prunes less.
 */
const REORDER_SHARE = 0.25;
const REORDER_MIN_ROWS = 256;

export class VacancyIndex {
  readonly slots = new Slots<MatchVacancy>();
  /** Codes by integer id, each with its vacancies' columns; an id stays with its code once given. */
  readonly codes: CodeColumns[] = [];
  private readonly codeIds = new Map<string, number>();
  /** Berufshauptgruppe → ids of codes with at least one vacancy. */
  readonly codesByPrefix = new Map<string, Set<number>>();
  readonly seen = new SeenMarks();
  /** Per-query scratch: candidate slots by score bucket; rows of a grid box, marked and in order. */
  readonly buckets: number[][] = Array.from({ length: 101 * BUCKETS_PER_POINT + 1 }, () => []);
  picked = new Uint8Array(1024);
  readonly inOrder: number[] = [];
  /** Per slot: its code id and its row in that code's columns. */
  code = new Uint32Array(1024);
  row = new Uint32Array(1024);

  get size(): number {
    return this.slots.size;
  }

  get(id: string): MatchVacancy | undefined {
    const slot = this.slots.byId.get(id);
    return slot === undefined ? undefined : this.slots.items[slot];
  }

  /** While true, codes are not reordered after each change: `upsertMany` reorders once at the end. */
  private deferOrder = false;

  /** Many at once (a build, a load): the codes are put in spatial order once at the end. */
  upsertMany(vacancies: Iterable<MatchVacancy>): void {
    this.deferOrder = true;
    try {
      for (const vacancy of vacancies) this.upsert(vacancy);
    } finally {
      this.deferOrder = false;
    }
    for (let id = 0; id < this.codes.length; id++) if ((this.codes[id] as CodeColumns).unordered > 0) this.reorder(id);
  }

  upsert(vacancy: MatchVacancy): void {
    this.remove(vacancy.id);
    const slot = this.slots.take(vacancy);
    if (slot >= this.code.length) {
      this.code = grown(this.code, this.code.length * 2);
      this.row = grown(this.row, this.row.length * 2);
    }
    const id = this.codeIdOf(vacancy.kldbCode);
    const block = this.codes[id] as CodeColumns;
    if (block.length === 0) addId(this.codesByPrefix, vacancy.kldbCode.slice(0, 2), id);
    const at = block.append(rowOf(vacancy, slot));
    this.code[slot] = id;
    this.row[slot] = at;
    for (const cell of cellsOf(vacancy)) {
      const rows = block.cells.get(cell);
      if (rows) rows.push(at);
      else block.cells.set(cell, [at]);
    }
    this.reorderIfWorn(id);
  }

  remove(id: string): boolean {
    const vacancy = this.get(id);
    const slot = this.slots.release(id);
    if (!vacancy || slot === undefined) return false;
    const codeId = this.code[slot] as number;
    const block = this.codes[codeId] as CodeColumns;
    const at = this.row[slot] as number;
    for (const cell of cellsOf(vacancy)) {
      const rows = block.cells.get(cell);
      if (rows && removeUnordered(rows, at) && rows.length === 0) block.cells.delete(cell);
    }
    const last = block.length - 1;
    const moved = block.removeAt(at);
    if (moved >= 0) {
      // The last row now sits at `at`: its cells must say so.
      this.row[moved] = at;
      for (const cell of cellsOf(this.slots.items[moved] as MatchVacancy)) {
        const rows = block.cells.get(cell) as number[];
        rows[rows.lastIndexOf(last)] = at;
      }
    }
    if (block.length === 0) {
      const prefix = block.code.slice(0, 2);
      const ids = this.codesByPrefix.get(prefix);
      ids?.delete(codeId);
      if (ids?.size === 0) this.codesByPrefix.delete(prefix);
    }
    this.reorderIfWorn(codeId);
    return true;
  }

  private reorderIfWorn(codeId: number): void {
    const block = this.codes[codeId] as CodeColumns;
    if (!this.deferOrder && block.unordered > Math.max(REORDER_MIN_ROWS, block.length * REORDER_SHARE)) {
      this.reorder(codeId);
    }
  }

  /**
   * Puts one code's rows in spatial order (Morton order of their grid cells; remote rows and rows with several
   * places last), so that each block of rows covers a small area, and moves the cells and slots with them.
   */
  private reorder(codeId: number): void {
    const block = this.codes[codeId] as CodeColumns;
    const n = block.length;
    const { slot: slots, flags } = block.columns;
    // Key and row in one number, so a plain numeric sort orders rows by key (rows < 2^22, keys < 2^25: exact).
    const keyed = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const vacancy = this.slots.items[slots[r] as number] as MatchVacancy;
      const key =
        ((flags[r] as number) & ANYWHERE) !== 0 || vacancy.lat === null || vacancy.lon === null
          ? LAST_KEY
          : mortonKey(Math.floor(vacancy.lat / CELL_LAT_DEG), Math.floor(vacancy.lon / CELL_LON_DEG));
      keyed[r] = key * ROW_SPAN + r;
    }
    keyed.sort();
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = (keyed[i] as number) % ROW_SPAN;
    const moved = block.reorder(order);
    for (let r = 0; r < n; r++) this.row[block.columns.slot[r] as number] = r;
    for (const rows of block.cells.values()) {
      for (let i = 0; i < rows.length; i++) rows[i] = moved[rows[i] as number] as number;
    }
  }

  private codeIdOf(code: string): number {
    let id = this.codeIds.get(code);
    if (id === undefined) {
      id = this.codes.length;
      this.codes.push(new CodeColumns(code, ANYWHERE));
      this.codeIds.set(code, id);
    }
    return id;
  }
}

/** The row of the columns: everything the cheap filters and the bound read. */
function rowOf(vacancy: MatchVacancy, slot: number): Row {
  const times = maskOf(vacancy.workingTimes, WORKING_TIME_BIT);
  const skills = skillBits(vacancy.skills);
  const prefs = vacancy.employerPreferences;
  const preferred = skillBits(prefs?.skills ?? []);
  const [x, y, z] = unitVector(vacancy.lat ?? 0, vacancy.lon ?? 0);
  return {
    slot,
    flags:
      (isRemote(vacancy) ? FLAG_REMOTE : 0) |
      (vacancy.places?.length ? FLAG_PLACES : 0) |
      (bitCount(times) === vacancy.workingTimes.length ? FLAG_TIMES_DISTINCT : 0) |
      (skills.distinct ? FLAG_SKILLS_DISTINCT : 0) |
      (prefs ? FLAG_PREFERENCES : 0) |
      (preferred.distinct ? FLAG_PREFERRED_SKILLS_DISTINCT : 0) |
      (askedLanguages(vacancy).length > 0 ? FLAG_LANGUAGES_ASKED : 0),
    x,
    y,
    z,
    validThrough: vacancy.validThrough?.getTime() ?? Number.POSITIVE_INFINITY,
    startDate: vacancy.startDate?.getTime() ?? Number.NaN,
    publishedAt: vacancy.publishedAt.getTime(),
    workingTimes: times,
    licences: maskOf(vacancy.licences, LICENCE_BIT),
    askedLicences: maskOf(askedLicences(vacancy), LICENCE_BIT),
    level: vacancy.requirementLevel,
    skillCount: vacancy.skills.length,
    skillsLow: skills.low,
    skillsHigh: skills.high,
    preferredSkillCount: prefs?.skills.length ?? 0,
    preferredSkillsLow: preferred.low,
    preferredSkillsHigh: preferred.high,
    preferredMinLevel: prefs?.minRequirementLevel ?? 0,
  };
}

function addId(map: Map<string, Set<number>>, key: string, id: number): void {
  const ids = map.get(key);
  if (ids) ids.add(id);
  else map.set(key, new Set([id]));
}

function unitVector(latDeg: number, lonDeg: number): [number, number, number] {
  const lat = (latDeg * Math.PI) / 180;
  const lon = (lonDeg * Math.PI) / 180;
  return [Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)];
}

/** Bit (0–63) of a normalised skill (FNV-1a): a held skill always sets its bit; collisions only loosen the bound. */
function skillBit(normalisedSkill: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < normalisedSkill.length; i++) hash = Math.imul(hash ^ normalisedSkill.charCodeAt(i), 0x01000193);
  return hash & 63;
}

/** Bits of the skills; `distinct` when each skill has a bit of its own, so the bits count the skills held. */
function skillBits(skills: Iterable<string>, normalised = false) {
  let low = 0;
  let high = 0;
  let count = 0;
  for (const skill of skills) {
    const bit = skillBit(normalised ? skill : normaliseSkill(skill));
    if (bit < 32) low |= 1 << bit;
    else high |= 1 << (bit - 32);
    count++;
  }
  return { low, high, distinct: bitCount(low) + bitCount(high) === count };
}

const LAT_CELLS_OFFSET = 1000;
const LON_CELLS_SPAN = 4000;

function cellKey(latCell: number, lonCell: number): number {
  return (latCell + LAT_CELLS_OFFSET) * LON_CELLS_SPAN + lonCell + LON_CELLS_SPAN / 2;
}

/** The grid cells of every place of the vacancy (one for most), or the remote cell. */
function cellsOf(vacancy: MatchVacancy): number[] {
  if (isRemote(vacancy)) return [REMOTE_CELL];
  const points = [{ lat: vacancy.lat as number, lon: vacancy.lon as number }, ...(vacancy.places ?? [])];
  return [...new Set(points.map((p) => cellKey(Math.floor(p.lat / CELL_LAT_DEG), Math.floor(p.lon / CELL_LON_DEG))))];
}

interface CellBox {
  lat0: number;
  lat1: number;
  lon0: number;
  lon1: number;
  cells: number;
}

/**
 * Cells that may hold a point within `radiusKm`; one cell of margin on every side. Null where the box would not be
 * trustworthy or useful (long radius, near a pole, across ±180°): the caller scans instead.
 */
function cellBox(lat: number, lon: number, radiusKm: number): CellBox | null {
  if (radiusKm > GRID_MAX_RADIUS_KM) return null;
  const dLat = radiusKm / KM_PER_DEG_LAT;
  const maxAbsLat = Math.abs(lat) + dLat;
  if (maxAbsLat > GRID_MAX_ABS_LAT) return null;
  const dLon = radiusKm / (KM_PER_DEG_LAT * Math.cos((maxAbsLat * Math.PI) / 180));
  if (lon - dLon - CELL_LON_DEG <= -180 || lon + dLon + CELL_LON_DEG >= 180) return null;
  const lat0 = Math.floor((lat - dLat) / CELL_LAT_DEG) - 1;
  const lat1 = Math.floor((lat + dLat) / CELL_LAT_DEG) + 1;
  const lon0 = Math.floor((lon - dLon) / CELL_LON_DEG) - 1;
  const lon1 = Math.floor((lon + dLon) / CELL_LON_DEG) + 1;
  return { lat0, lat1, lon0, lon1, cells: (lat1 - lat0 + 1) * (lon1 - lon0 + 1) };
}

export function buildVacancyIndex(vacancies: Iterable<MatchVacancy>): VacancyIndex {
  const index = new VacancyIndex();
  index.upsertMany(vacancies);
  return index;
}

const ROW_SPAN = 1 << 22;
const LAST_KEY = 1 << 24;

/** Interleaves the bits of the cell's row and column (12 each): cells near each other get keys near each other. */
function mortonKey(latCell: number, lonCell: number): number {
  const a = latCell + 2048;
  const b = lonCell + 2048;
  let key = 0;
  for (let bit = 11; bit >= 0; bit--) key = key * 4 + ((a >> bit) & 1) * 2 + ((b >> bit) & 1);
  return key;
}

/** Top vacancies for one customer (the caseworker's view and the `match` job for a changed profile). */
export function rankVacanciesForCustomer(index: VacancyIndex, profile: MatchProfile, opts: RankOptions): RankOutput {
  const caps = opts.caps ?? CAPS;
  const open = opts.openProposals ?? NO_OPEN_PROPOSALS;
  const openHere = open.perCustomer.get(profile.id) ?? 0;
  const eligible = isEligible(profile, opts);
  const top = new TopK(openHere >= caps.perCustomer || !eligible ? 0 : limitOf(opts));
  const skipped = new TopK(limitOf(opts));
  const capNote = customerCapNote(openHere, caps);
  if (top.k === 0) return finish(top, opts, 0, capNote, skipped, vacancyAtCapNote(caps));

  const now = opts.now.getTime();
  const windowEnd = now + AVAILABILITY_WINDOW_DAYS * DAY_MS;
  const available = profile.availableFrom.getTime();
  const facts = profileFacts(profile);
  const times = maskOf(facts.workingTimes, WORKING_TIME_BIT);
  const held = maskOf(facts.licences, LICENCE_BIT);
  const heldSkills = skillBits(facts.skills, true);
  const maxKm = profile.maxCommuteKm;
  const span = maxKm - DISTANCE_FULL_KM;
  const [qx, qy, qz] = unitVector(profile.lat, profile.lon);
  const home = { lat: profile.lat, lon: profile.lon };
  const box = cellBox(profile.lat, profile.lon, maxKm);
  const timePoints = timePointsByMask(times);
  const mark = index.seen.next(index.code.length);
  const seedBox = cellBox(profile.lat, profile.lon, 0);
  const buckets = index.buckets;
  let excluded = 0;
  let code: CodeCandidate = NO_CODE;
  // Highest and lowest bucket holding rows.
  let high = -1;
  let low = buckets.length;

  /**
   * Cheap filters and the bound for the rows of one code (`rows` null: all of them, front to back, except those
   * marked in `skip`); rows that may still enter the list go to their bucket.
   */
  const collect = (block: CodeColumns, rows: readonly number[] | null, skip: Uint8Array | null = null) => {
    const threshold = top.threshold;
    const { occupationPoints, levelPoints, customerLevel } = code;
    const { slot: slots, flags, x, y, z, validThrough, startDate, publishedAt, workingTimes, licences } = block.columns;
    const { askedLicences, level, skillCount, skillsLow, skillsHigh, preferredSkillCount } = block.columns;
    const { preferredSkillsLow, preferredSkillsHigh, preferredMinLevel } = block.columns;
    const n = rows === null ? block.length : rows.length;
    const summary = block.blocks;
    for (let i = 0; i < n; i++) {
      const r = rows === null ? i : (rows[i] as number);
      // A scan decides at each block's first row whether any row of the block could still enter the list.
      if (rows === null && (r & (BLOCK_ROWS - 1)) === 0 && !blockMayEnter(summary, r >> BLOCK_SHIFT, threshold)) {
        i += BLOCK_ROWS - 1;
        continue;
      }
      if (skip !== null && skip[r] === 1) continue;
      const flag = flags[r] as number;
      // A vacancy with several places sits in several cells; it is looked at once.
      if ((flag & FLAG_PLACES) !== 0 && !index.seen.first(slots[r] as number, mark)) continue;
      // Distance first: in a scan most rows of a regional customer are too far, and this reads only three columns.
      let nearKm = 0;
      if ((flag & FLAG_REMOTE) === 0) {
        if ((flag & FLAG_PLACES) !== 0) {
          nearKm = commute(home, index.slots.items[slots[r] as number] as MatchVacancy) as number;
        } else {
          // The chord through the sphere is never longer than the arc: a lower bound of the commute.
          const dx = (x[r] as number) - qx;
          const dy = (y[r] as number) - qy;
          const dz = (z[r] as number) - qz;
          nearKm = KM_PER_RADIAN * Math.sqrt(dx * dx + dy * dy + dz * dz) - CHORD_MARGIN_KM;
        }
        if (nearKm > maxKm) {
          excluded++;
          continue;
        }
      }
      // The parts read from two more columns, every other part at its maximum: most rows of a long scan stop here.
      const ageDays = (now - (publishedAt[r] as number)) / DAY_MS;
      const partial =
        occupationPoints +
        (levelPoints[level[r] as number] ?? 0) +
        FRESHNESS_MAX * (ageDays <= FRESH_DAYS ? 1 : Math.max(0, 1 - (ageDays - FRESH_DAYS) / FRESH_SPAN_DAYS)) +
        DISTANCE_MAX * (nearKm <= FULL_KM ? 1 : span <= 0 ? 0 : Math.max(0, 1 - (nearKm - FULL_KM) / span));
      if (partial + REST_MAX + BOUND_EPSILON < threshold) continue;
      const start = startDate[r] as number;
      if (
        (validThrough[r] as number) < now ||
        ((workingTimes[r] as number) & times) === 0 ||
        ((licences[r] as number) & ~held) !== 0 ||
        available > (start > now ? start : windowEnd)
      ) {
        excluded++;
        continue;
      }
      const asked = askedLicences[r] as number;
      const skillN = skillCount[r] as number;
      let preferencePoints = PREFERENCES_MAX * NEUTRAL;
      if ((flag & FLAG_PREFERENCES) !== 0) {
        const skillsAsked = preferredSkillCount[r] as number;
        const minLevel = preferredMinLevel[r] as number;
        const total = skillsAsked + (minLevel > 0 ? 1 : 0);
        if (total > 0) {
          const skillsMet =
            (flag & FLAG_PREFERRED_SKILLS_DISTINCT) !== 0
              ? countBits((preferredSkillsLow[r] as number) & heldSkills.low) +
                countBits((preferredSkillsHigh[r] as number) & heldSkills.high)
              : skillsAsked;
          const levelMet = minLevel > 0 && customerLevel >= minLevel ? 1 : 0;
          preferencePoints = (PREFERENCES_MAX * (skillsMet + levelMet)) / total;
        }
      }
      const bound =
        partial +
        ((flag & FLAG_TIMES_DISTINCT) !== 0 ? (timePoints[workingTimes[r] as number] as number) : WORKING_TIME_MAX) +
        LICENCES_MAX * (asked === 0 ? NEUTRAL : countBits(asked & held) / countBits(asked)) +
        SKILLS_MAX *
          (skillN === 0
            ? NEUTRAL
            : (flag & FLAG_SKILLS_DISTINCT) !== 0
              ? (countBits((skillsLow[r] as number) & heldSkills.low) +
                  countBits((skillsHigh[r] as number) & heldSkills.high)) /
                skillN
              : 1) +
        LANGUAGES_MAX * ((flag & FLAG_LANGUAGES_ASKED) !== 0 ? 1 : NEUTRAL) +
        preferencePoints;
      if (bound + BOUND_EPSILON < threshold) continue;
      const b = Math.min(buckets.length - 1, Math.floor(bound * BUCKETS_PER_POINT));
      (buckets[b] as number[]).push(slots[r] as number);
      if (b > high) high = b;
      if (b < low) low = b;
    }
  };

  /**
   * False when no row of the block can enter the list: its nearest possible place is beyond the commute, or even
   * with that place and its newest publication date (every other part at its maximum) it stays below the threshold.
   */
  const blockMayEnter = (summary: CodeColumns['blocks'], b: number, threshold: number): boolean => {
    let distancePoints = DISTANCE_MAX;
    if (summary.anywhere[b] === 0) {
      const dx = (summary.cx[b] as number) - qx;
      const dy = (summary.cy[b] as number) - qy;
      const dz = (summary.cz[b] as number) - qz;
      const chord = Math.sqrt(dx * dx + dy * dy + dz * dz) - (summary.radius[b] as number);
      const nearKm = chord > 0 ? KM_PER_RADIAN * chord - CHORD_MARGIN_KM : 0;
      if (nearKm > maxKm) return false;
      distancePoints =
        DISTANCE_MAX * (nearKm <= FULL_KM ? 1 : span <= 0 ? 0 : Math.max(0, 1 - (nearKm - FULL_KM) / span));
    }
    const ageDays = (now - (summary.publishedAt[b] as number)) / DAY_MS;
    const bound =
      code.occupationPoints +
      code.maxLevelPoints +
      FRESHNESS_MAX * (ageDays <= FRESH_DAYS ? 1 : Math.max(0, 1 - (ageDays - FRESH_DAYS) / FRESH_SPAN_DAYS)) +
      distancePoints +
      REST_MAX;
    return bound + BOUND_EPSILON >= threshold;
  };

  /** Scores the collected rows best bucket first, until the list beats the next bucket; empties the buckets. */
  const drain = () => {
    let threshold = top.threshold;
    for (let b = high; b >= low; b--) {
      const bucket = buckets[b] as number[];
      const ceiling = (b + 1) / BUCKETS_PER_POINT + BOUND_EPSILON;
      for (let i = 0; i < bucket.length && ceiling >= threshold; i++) {
        const vacancy = index.slots.items[bucket[i] as number] as MatchVacancy;
        const km = commute(home, vacancy);
        if (km !== null && km > maxKm) {
          excluded++;
          continue;
        }
        const atCap = (open.perVacancy.get(vacancy.id) ?? 0) >= caps.perVacancy;
        if (!offer(pairContext(profile, vacancy, opts, km), vacancy.id, atCap ? skipped : top)) excluded++;
        threshold = top.threshold;
      }
      bucket.length = 0;
    }
    high = -1;
    low = buckets.length;
  };

  for (const candidate of codesByBound(index, profile.targetKldbCodes)) {
    // Codes come best bound first: once the list is full and beats this bound, no later code can enter it.
    if (top.threshold > candidate.bound + BOUND_EPSILON) break;
    const block = index.codes[candidate.id] as CodeColumns;
    code = candidate;
    if (!box || box.cells * CELL_COST_ROWS >= block.length) {
      if (seedBox && top.items.length < top.k && block.length >= SEED_MIN_ROWS) {
        // Rows near home first, then the rest of the code with the threshold they set. The seeded rows stay marked
        // in `picked` during the scan, which skips them: each row is looked at once.
        const seeded = markRowsInBox(index, block, seedBox);
        collect(block, seeded);
        drain();
        collect(block, null, index.picked);
        for (const r of seeded) index.picked[r] = 0;
      } else collect(block, null);
    } else {
      const remoteRows = block.cells.get(REMOTE_CELL);
      if (remoteRows) collect(block, remoteRows);
      collect(block, rowsInBox(index, block, box));
    }
    drain();
  }
  return finish(top, opts, excluded, capNote, skipped, vacancyAtCapNote(caps));
}

/**
 * The rows filed under the box's cells, each once, in row order: read in order, the columns stream through the cache
 * instead of being hit at random (about half the time of visiting cell by cell at 1,000,000 vacancies).
 */
function rowsInBox(index: VacancyIndex, block: CodeColumns, box: CellBox): number[] {
  if (index.picked.length < block.length) index.picked = new Uint8Array(block.length * 2);
  const { picked, inOrder } = index;
  let first = block.length;
  let last = -1;
  for (let la = box.lat0; la <= box.lat1; la++) {
    for (let lo = box.lon0; lo <= box.lon1; lo++) {
      const rows = block.cells.get(cellKey(la, lo));
      if (!rows) continue;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as number;
        picked[r] = 1;
        if (r < first) first = r;
        if (r > last) last = r;
      }
    }
  }
  inOrder.length = 0;
  for (let r = first; r <= last; r++) {
    if (picked[r] === 1) {
      inOrder.push(r);
      picked[r] = 0;
    }
  }
  return inOrder;
}

/**
 * The rows filed under the box's cells, each once, in cell order, left marked in `picked` (the caller clears them):
 * a few hundred rows near home, not worth a pass over the code's row range to put them in order.
 */
function markRowsInBox(index: VacancyIndex, block: CodeColumns, box: CellBox): number[] {
  if (index.picked.length < block.length) index.picked = new Uint8Array(block.length * 2);
  const { picked, inOrder } = index;
  inOrder.length = 0;
  for (let la = box.lat0; la <= box.lat1; la++) {
    for (let lo = box.lon0; lo <= box.lon1; lo++) {
      const rows = block.cells.get(cellKey(la, lo));
      if (!rows) continue;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as number;
        if (picked[r] === 1) continue;
        picked[r] = 1;
        inOrder.push(r);
      }
    }
  }
  return inOrder;
}

/** Points of the working-time part by the vacancy's option mask, for a customer's mask (options distinct). */
function timePointsByMask(customerTimes: number): Float64Array {
  const points = new Float64Array(1 << WORKING_TIME_BIT.size);
  for (let mask = 1; mask < points.length; mask++) {
    points[mask] = WEIGHTS.workingTime * (bitCount(mask & customerTimes) / bitCount(mask));
  }
  return points;
}

interface CodeCandidate {
  id: number;
  /** Highest score a vacancy of this code could reach: every other part at full value. */
  bound: number;
  occupationPoints: number;
  /** Requirement-level points by vacancy level (1–4). */
  levelPoints: readonly number[];
  /** The most `levelPoints` gives. */
  maxLevelPoints: number;
  /** The level the customer aims for with this code (score.ts `customerLevel`). */
  customerLevel: number;
}

const NO_CODE: CodeCandidate = {
  id: -1,
  bound: 0,
  occupationPoints: 0,
  levelPoints: [],
  maxLevelPoints: 0,
  customerLevel: 0,
};

/** Vacancy codes of the customer's Berufshauptgruppen, best bound first. */
function codesByBound(index: VacancyIndex, targets: readonly string[]): CodeCandidate[] {
  const out: CodeCandidate[] = [];
  for (const prefix of new Set(targets.map((c) => c.slice(0, 2)))) {
    for (const id of index.codesByPrefix.get(prefix) ?? []) {
      const best = bestTarget(targets, (index.codes[id] as CodeColumns).code);
      const customerLevel = Number(best.code[4]);
      const levelPoints = [0, 1, 2, 3, 4].map((l) => WEIGHTS.requirementLevel * (LEVEL_FIT[l - customerLevel] ?? 0));
      out.push({
        id,
        bound: 100 - WEIGHTS.occupation * (1 - best.value),
        occupationPoints: WEIGHTS.occupation * best.value,
        levelPoints,
        maxLevelPoints: Math.max(...levelPoints),
        customerLevel,
      });
    }
  }
  return out.sort((a, b) => b.bound - a.bound);
}
