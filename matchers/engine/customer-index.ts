/**
 * Candidate narrowing for a vacancy's list. Customers are bucketed by target KldB code, grouped by Berufshauptgruppe
 * (2 digits), and within a code by profile group: a query only touches customers of the vacancy's Berufshauptgruppe
 * (anything else fails `occupation_field`) in the profile groups it may propose, closest codes first, and stops once
 * the list is settled. Records passing the cheap filters on the typed arrays are checked with the full
 * constraints and scored by the same code as the brute-force scorer, so the narrowed top list equals the brute-force
 * one (tested). There is no geo grid: customers' radii differ, and after occupation and profile-group filtering few
 * remain.
 */
import type { MatchProfile } from '../../src/domain/customer.ts';
import { ProfileGroup } from '../../src/domain/enums.ts';
import { distanceKm } from '../../src/geo/plz.ts';
import { sharedKldbDigits } from '../../src/taxonomy/kldb.ts';
import { customerAtCapNote, NO_OPEN_PROPOSALS, vacancyCapNote } from './caps.ts';
import { addTo, grown, maskOf, removeFrom, removeUnordered, SeenMarks, Slots, WORKING_TIME_BIT } from './columns.ts';
import { availabilityDeadline, commuteKm, isRemote, pairContext } from './constraints.ts';
import { profileGroupAllowed } from './eligibility.ts';
import { explainExclusion } from './explain.ts';
import { finish, limitOf, offer, type RankOptions, type RankOutput, TopK } from './rank.ts';
import type { Exclusion, MatchVacancy } from './types.ts';
import { CAPS, OCCUPATION_PROXIMITY, WEIGHTS } from './weights.ts';

const GROUP_INDEX = new Map(ProfileGroup.options.map((g, i) => [g, i]));
/** Guards the bound comparison against floating-point noise in summed scores. */
const BOUND_EPSILON = 1e-9;

export class CustomerIndex {
  readonly slots = new Slots<MatchProfile>();
  /**
   * Target code → slots of customers with that target, one list per profile group (by `ProfileGroup` position), so
   * a query never touches the groups it may not propose (most customers).
   */
  readonly byCode = new Map<string, Array<number[] | undefined>>();
  /** Berufshauptgruppe → target codes present. */
  readonly codesByPrefix = new Map<string, Set<string>>();
  /** Per-query dedup marks, since a customer sits under each of their target codes. */
  readonly seen = new SeenMarks();
  lat = new Float64Array(1024);
  lon = new Float64Array(1024);
  maxCommute = new Float64Array(1024);
  availableFrom = new Float64Array(1024);
  blockedUntil = new Float64Array(1024);
  consent = new Uint8Array(1024);
  workingTimes = new Uint8Array(1024);

  get size(): number {
    return this.slots.size;
  }

  get(id: string): MatchProfile | undefined {
    const slot = this.slots.byId.get(id);
    return slot === undefined ? undefined : this.slots.items[slot];
  }

  upsert(profile: MatchProfile): void {
    this.remove(profile.id);
    const slot = this.slots.take(profile);
    if (slot >= this.lat.length) this.grow(this.lat.length * 2);
    this.lat[slot] = profile.lat;
    this.lon[slot] = profile.lon;
    this.maxCommute[slot] = profile.maxCommuteKm;
    this.availableFrom[slot] = profile.availableFrom.getTime();
    this.blockedUntil[slot] = profile.blockedUntil?.getTime() ?? 0;
    this.consent[slot] = profile.consent ? 1 : 0;
    this.workingTimes[slot] = maskOf(profile.workingTimes, WORKING_TIME_BIT);
    const group = GROUP_INDEX.get(profile.profileGroup) as number;
    for (const code of new Set(profile.targetKldbCodes)) {
      let lists = this.byCode.get(code);
      if (!lists) {
        lists = [];
        this.byCode.set(code, lists);
        addTo(this.codesByPrefix, code.slice(0, 2), code);
      }
      const list = lists[group];
      if (list) list.push(slot);
      else lists[group] = [slot];
    }
  }

  remove(id: string): boolean {
    const profile = this.get(id);
    const slot = this.slots.release(id);
    if (!profile || slot === undefined) return false;
    const group = GROUP_INDEX.get(profile.profileGroup) as number;
    for (const code of new Set(profile.targetKldbCodes)) {
      const lists = this.byCode.get(code);
      const list = lists?.[group];
      if (!lists || !list) continue;
      removeUnordered(list, slot);
      if (list.length === 0) lists[group] = undefined;
      if (lists.every((l) => l === undefined)) {
        this.byCode.delete(code);
        removeFrom(this.codesByPrefix, code.slice(0, 2), code);
      }
    }
    return true;
  }

  private grow(size: number): void {
    this.lat = grown(this.lat, size);
    this.lon = grown(this.lon, size);
    this.maxCommute = grown(this.maxCommute, size);
    this.availableFrom = grown(this.availableFrom, size);
    this.blockedUntil = grown(this.blockedUntil, size);
    this.consent = grown(this.consent, size);
    this.workingTimes = grown(this.workingTimes, size);
  }
}

export function buildCustomerIndex(profiles: Iterable<MatchProfile>): CustomerIndex {
  const index = new CustomerIndex();
  for (const profile of profiles) index.upsert(profile);
  return index;
}

/** Top customers for one vacancy (the employer-side view and the `match` job for a new vacancy). */
export function rankCustomersForVacancy(index: CustomerIndex, vacancy: MatchVacancy, opts: RankOptions): RankOutput {
  const caps = opts.caps ?? CAPS;
  const open = opts.openProposals ?? NO_OPEN_PROPOSALS;
  const openHere = open.perVacancy.get(vacancy.id) ?? 0;
  const top = new TopK(openHere >= caps.perVacancy ? 0 : limitOf(opts));
  const skipped = new TopK(limitOf(opts));
  const capNote = vacancyCapNote(openHere, caps);
  if (top.k === 0) return finish(top, opts, 0, capNote, skipped, customerAtCapNote(caps));

  const now = opts.now.getTime();
  const groups = ProfileGroup.options.flatMap((g, i) => (profileGroupAllowed(g, opts) ? [i] : []));
  const vacancyTimes = maskOf(vacancy.workingTimes, WORKING_TIME_BIT);
  const deadline = availabilityDeadline(vacancy, now);
  const remote = isRemote(vacancy);
  const place = { lat: vacancy.lat ?? 0, lon: vacancy.lon ?? 0 };
  const mark = index.seen.next(index.lat.length);
  let excluded = 0;

  for (const { code, bound } of codesByBound(index, vacancy.kldbCode)) {
    // Codes come closest first, and a customer is first met under their closest target: once the list is full and
    // beats this code's bound, no customer met later can enter it.
    if (top.threshold > bound + BOUND_EPSILON) break;
    const lists = index.byCode.get(code) as Array<number[] | undefined>;
    for (const group of groups) {
      const list = lists[group];
      if (!list) continue;
      for (let i = 0; i < list.length; i++) {
        const slot = list[i] as number;
        if (!index.seen.first(slot, mark)) continue;
        const cheapPass =
          index.consent[slot] === 1 &&
          (index.blockedUntil[slot] as number) <= now &&
          ((index.workingTimes[slot] as number) & vacancyTimes) !== 0 &&
          (index.availableFrom[slot] as number) <= deadline;
        if (!cheapPass) {
          excluded++;
          continue;
        }
        const home = { lat: index.lat[slot] as number, lon: index.lon[slot] as number };
        const d = remote ? null : vacancy.places?.length ? commuteKm(home, vacancy) : distanceKm(home, place);
        if (d !== null && d > (index.maxCommute[slot] as number)) {
          excluded++;
          continue;
        }
        const profile = index.slots.items[slot] as MatchProfile;
        const atCap = (open.perCustomer.get(profile.id) ?? 0) >= caps.perCustomer;
        if (!offer(pairContext(profile, vacancy, opts, d), profile.id, atCap ? skipped : top)) excluded++;
      }
    }
  }
  return finish(top, opts, excluded, capNote, skipped, customerAtCapNote(caps));
}

/**
 * Target codes of the vacancy's Berufshauptgruppe with the highest score a customer met under that code could
 * reach: the occupation part as the code allows (as a first target), every other part at full value.
 */
function codesByBound(index: CustomerIndex, vacancyCode: string): Array<{ code: string; bound: number }> {
  const out: Array<{ code: string; bound: number }> = [];
  for (const code of index.codesByPrefix.get(vacancyCode.slice(0, 2)) ?? []) {
    const proximity = OCCUPATION_PROXIMITY[sharedKldbDigits(code, vacancyCode)] ?? 0;
    out.push({ code, bound: 100 - WEIGHTS.occupation * (1 - proximity) });
  }
  return out.sort((a, b) => b.bound - a.bound);
}

/** "Warum nicht?" for one customer and a vacancy; undefined when the customer is not in the index. */
export function whyNotCustomer(
  index: CustomerIndex,
  vacancy: MatchVacancy,
  customerId: string,
  opts: RankOptions,
): Exclusion | undefined {
  const profile = index.get(customerId);
  return profile && explainExclusion(profile, vacancy, opts, 'customer');
}
