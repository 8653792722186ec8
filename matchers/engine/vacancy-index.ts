/**
 * Candidate narrowing for a customer's list. Vacancies are bucketed by KldB code, grouped by Berufshauptgruppe
 * (2 digits), and within a code by a coarse geo grid: a query only touches codes of the customer's
 * Berufshauptgruppen (anything else fails `occupation_field`) and grid cells within the commute radius, visiting
 * codes best possible score first and stopping once the list is settled. Records passing the cheap filters are
 * checked with the full constraints and scored by the same code as the brute-force scorer, so the narrowed top list
 * equals the brute-force one (tested).
 */
import type { MatchProfile } from '../../src/domain/customer.ts';
import { distanceKm } from '../../src/geo/plz.ts';
import { customerCapNote, NO_OPEN_PROPOSALS, vacancyAtCapNote } from './caps.ts';
import { addTo, grown, LICENCE_BIT, maskOf, removeFrom, Slots, WORKING_TIME_BIT } from './columns.ts';
import { commuteKm, isRemote, pairContext } from './constraints.ts';
import { isEligible } from './eligibility.ts';
import { profileFacts } from './facts.ts';
import { finish, limitOf, offer, type RankOptions, type RankOutput, TopK } from './rank.ts';
import { bestTarget } from './score.ts';
import type { MatchVacancy } from './types.ts';
import { AVAILABILITY_WINDOW_DAYS, CAPS, WEIGHTS } from './weights.ts';

const DAY_MS = 86_400_000;
/** Grid cells of about 11 × 11 km in southern Germany. */
const CELL_LAT_DEG = 0.1;
const CELL_LON_DEG = 0.15;
const KM_PER_DEG_LAT = 111.19;
/** Beyond this radius the grid is not consulted: few customers commute that far, and it keeps the bound simple. */
const GRID_MAX_RADIUS_KM = 200;
const REMOTE_CELL = -1;
/** Guards the bound comparison against floating-point noise in summed scores. */
const BOUND_EPSILON = 1e-9;

export class VacancyIndex {
  readonly slots = new Slots<MatchVacancy>();
  /** KldB code → grid cell → slots. */
  readonly buckets = new Map<string, Map<number, Set<number>>>();
  /** Berufshauptgruppe → codes present. */
  readonly codesByPrefix = new Map<string, Set<string>>();
  lat = new Float64Array(1024);
  lon = new Float64Array(1024);
  remote = new Uint8Array(1024);
  validThrough = new Float64Array(1024);
  /** NaN when there is no start date. */
  startDate = new Float64Array(1024);
  workingTimes = new Uint8Array(1024);
  licences = new Uint32Array(1024);

  get size(): number {
    return this.slots.size;
  }

  get(id: string): MatchVacancy | undefined {
    const slot = this.slots.byId.get(id);
    return slot === undefined ? undefined : this.slots.items[slot];
  }

  upsert(vacancy: MatchVacancy): void {
    this.remove(vacancy.id);
    const slot = this.slots.take(vacancy);
    if (slot >= this.lat.length) this.grow(this.lat.length * 2);
    const remote = isRemote(vacancy);
    this.lat[slot] = vacancy.lat ?? 0;
    this.lon[slot] = vacancy.lon ?? 0;
    this.remote[slot] = remote ? 1 : 0;
    this.validThrough[slot] = vacancy.validThrough?.getTime() ?? Number.POSITIVE_INFINITY;
    this.startDate[slot] = vacancy.startDate?.getTime() ?? Number.NaN;
    this.workingTimes[slot] = maskOf(vacancy.workingTimes, WORKING_TIME_BIT);
    this.licences[slot] = maskOf(vacancy.licences, LICENCE_BIT);
    let cells = this.buckets.get(vacancy.kldbCode);
    if (!cells) {
      cells = new Map();
      this.buckets.set(vacancy.kldbCode, cells);
      addTo(this.codesByPrefix, vacancy.kldbCode.slice(0, 2), vacancy.kldbCode);
    }
    for (const cell of cellsOf(vacancy)) addTo(cells, cell, slot);
  }

  remove(id: string): boolean {
    const vacancy = this.get(id);
    const slot = this.slots.release(id);
    if (!vacancy || slot === undefined) return false;
    const cells = this.buckets.get(vacancy.kldbCode);
    if (cells) {
      for (const cell of cellsOf(vacancy)) removeFrom(cells, cell, slot);
      if (cells.size === 0) {
        this.buckets.delete(vacancy.kldbCode);
        removeFrom(this.codesByPrefix, vacancy.kldbCode.slice(0, 2), vacancy.kldbCode);
      }
    }
    return true;
  }

  private grow(size: number): void {
    this.lat = grown(this.lat, size);
    this.lon = grown(this.lon, size);
    this.remote = grown(this.remote, size);
    this.validThrough = grown(this.validThrough, size);
    this.startDate = grown(this.startDate, size);
    this.workingTimes = grown(this.workingTimes, size);
    this.licences = grown(this.licences, size);
  }
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

/** Cells that may hold a point within `radiusKm`; one cell of margin on every side. Null: radius too large, scan all. */
function cellRange(lat: number, lon: number, radiusKm: number) {
  if (radiusKm > GRID_MAX_RADIUS_KM) return null;
  const dLat = radiusKm / KM_PER_DEG_LAT;
  const maxAbsLat = Math.min(89, Math.abs(lat) + dLat);
  const dLon = radiusKm / (KM_PER_DEG_LAT * Math.cos((maxAbsLat * Math.PI) / 180));
  return {
    lat0: Math.floor((lat - dLat) / CELL_LAT_DEG) - 1,
    lat1: Math.floor((lat + dLat) / CELL_LAT_DEG) + 1,
    lon0: Math.floor((lon - dLon) / CELL_LON_DEG) - 1,
    lon1: Math.floor((lon + dLon) / CELL_LON_DEG) + 1,
  };
}

export function buildVacancyIndex(vacancies: Iterable<MatchVacancy>): VacancyIndex {
  const index = new VacancyIndex();
  for (const vacancy of vacancies) index.upsert(vacancy);
  return index;
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
  const licences = maskOf(facts.licences, LICENCE_BIT);
  const range = cellRange(profile.lat, profile.lon, profile.maxCommuteKm);
  let excluded = 0;

  // A vacancy with several places sits in several cells; it is offered once.
  const visited = new Set<number>();
  const visit = (slots: Set<number>) => {
    for (const slot of slots) {
      if (visited.has(slot)) continue;
      visited.add(slot);
      const start = index.startDate[slot] as number;
      const cheapPass =
        (index.validThrough[slot] as number) >= now &&
        ((index.workingTimes[slot] as number) & times) !== 0 &&
        ((index.licences[slot] as number) & ~licences) === 0 &&
        available <= (start > now ? start : windowEnd);
      if (!cheapPass) {
        excluded++;
        continue;
      }
      const vacancy = index.slots.items[slot] as MatchVacancy;
      const d =
        index.remote[slot] === 1
          ? null
          : vacancy.places?.length
            ? commuteKm(profile, vacancy)
            : distanceKm(profile, { lat: index.lat[slot] as number, lon: index.lon[slot] as number });
      if (d !== null && d > profile.maxCommuteKm) {
        excluded++;
        continue;
      }
      const atCap = (open.perVacancy.get(vacancy.id) ?? 0) >= caps.perVacancy;
      if (!offer(pairContext(profile, vacancy, opts, d), vacancy.id, atCap ? skipped : top)) excluded++;
    }
  };

  for (const { code, bound } of codesByBound(index, profile.targetKldbCodes)) {
    // Codes come best bound first: once the list is full and beats this bound, no later code can enter it.
    if (top.threshold > bound + BOUND_EPSILON) break;
    const cells = index.buckets.get(code);
    if (!cells) continue;
    if (!range || (range.lat1 - range.lat0 + 1) * (range.lon1 - range.lon0 + 1) >= cells.size) {
      for (const [cell, slots] of cells) if (cell === REMOTE_CELL || inRange(cell, range)) visit(slots);
      continue;
    }
    const remoteSlots = cells.get(REMOTE_CELL);
    if (remoteSlots) visit(remoteSlots);
    for (let la = range.lat0; la <= range.lat1; la++) {
      for (let lo = range.lon0; lo <= range.lon1; lo++) {
        const slots = cells.get(cellKey(la, lo));
        if (slots) visit(slots);
      }
    }
  }
  return finish(top, opts, excluded, capNote, skipped, vacancyAtCapNote(caps));
}

/**
 * Vacancy codes of the customer's Berufshauptgruppen with the highest score a vacancy of that code could reach:
 * every other part at full value, the occupation part as the code allows.
 */
function codesByBound(index: VacancyIndex, targets: readonly string[]): Array<{ code: string; bound: number }> {
  const out: Array<{ code: string; bound: number }> = [];
  for (const prefix of new Set(targets.map((c) => c.slice(0, 2)))) {
    for (const code of index.codesByPrefix.get(prefix) ?? []) {
      out.push({ code, bound: 100 - WEIGHTS.occupation * (1 - bestTarget(targets, code).value) });
    }
  }
  return out.sort((a, b) => b.bound - a.bound);
}

function inRange(cell: number, range: ReturnType<typeof cellRange>): boolean {
  if (!range) return true;
  const la = Math.floor(cell / LON_CELLS_SPAN) - LAT_CELLS_OFFSET;
  const lo = (cell % LON_CELLS_SPAN) - LON_CELLS_SPAN / 2;
  return la >= range.lat0 && la <= range.lat1 && lo >= range.lon0 && lo <= range.lon1;
}
