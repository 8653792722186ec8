/**
 * Matching benchmark on synthetic data (deterministic): the narrowed indexes against baselines in the same run.
 * - brute force (every pair scored, tests/helpers/match-brute-force.ts), also the oracle: a sample of customers at
 *   the full size must get exactly the brute-force list;
 * - a plain columnar scan (KldB proximity plus distance over every row of typed arrays): the floor the narrowing
 *   must never be slower than;
 * - optionally the previous index: `--previous <dir>` with `<dir>/matchers/engine/` from an older commit, e.g.
 *   `git archive <rev> matchers/engine | tar -x -C <dir>`, plus links `<dir>/src` and `<dir>/node_modules` to this
 *   checkout's.
 * Queries alternate between the index and the baselines so that load from other work hits both alike.
 * Prints one JSON line. Run: `npm run bench:match [-- --vacancies 1000000 --previous /tmp/prev]`; about 3 GB of heap.
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as customerIndexModule from '../matchers/engine/customer-index.ts';
import type { RankOptions, RankOutput } from '../matchers/engine/rank.ts';
import { bestTarget } from '../matchers/engine/score.ts';
import type { MatchVacancy } from '../matchers/engine/types.ts';
import * as vacancyIndexModule from '../matchers/engine/vacancy-index.ts';
import { DISTANCE_FULL_KM, WEIGHTS } from '../matchers/engine/weights.ts';
import type { MatchProfile } from '../src/domain/customer.ts';
import type { ProfileGroup } from '../src/domain/enums.ts';
import { distanceKm } from '../src/geo/plz.ts';
import { bruteForceCustomersForVacancy, bruteForceVacanciesForCustomer } from '../tests/helpers/match-brute-force.ts';
import { pick, prng, syntheticProfile, syntheticVacancy } from '../tests/helpers/match-synthetic.ts';

const { values: args } = parseArgs({
  options: {
    vacancies: { type: 'string', default: '1000000' },
    previous: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:match [-- --vacancies N] [-- --previous DIR]
  --vacancies N    vacancies in the large index (default 1000000; about 3 GB of heap at that size)
  --previous DIR   also time the engine in DIR/matchers/engine/ (an older commit, see the head of this script)
Prints one JSON line: timings (wall and CPU per query), the brute-force comparison, memory and the load average.`);
  process.exit(0);
}
const VACANCIES = Number(args.vacancies);
const now = new Date('2026-03-01T10:00:00Z');
const opts: RankOptions = { now, limit: 20 };
const CUSTOMERS = 30_000;
const QUERIES = 300;
/** Supra-regional placements: radii where a grid of 11 km cells cannot narrow. */
const LONG_RADII_KM = [150, 250, 500, 800];
const ORACLE_SAMPLE = 24;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Profile groups in the job centre's proportions (src/demo/synthetic-customers.ts), exactly 1,541 market profiles. */
const GROUP_BANDS: ReadonlyArray<readonly [ProfileGroup, number]> = [
  ['market', 1541],
  ['activation', 1366],
  ['support', 4312],
  ['not_available', 6878],
  ['integrated', 3263],
  ['complex', CUSTOMERS - 1541 - 1366 - 4312 - 6878 - 3263],
];

function groupOf(i: number): ProfileGroup {
  let rest = i;
  for (const [group, n] of GROUP_BANDS) {
    if (rest < n) return group;
    rest -= n;
  }
  return 'complex';
}

interface Timing {
  n: number;
  p50: number;
  p95: number;
  max: number;
  /** CPU time of the process (all threads) per query: what the query cost, without the time other work took. */
  cpu: { p50: number; p95: number; max: number };
}

function percentiles(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: round(at(50)), p95: round(at(95)), max: round(sorted.at(-1) ?? 0) };
}

/**
 * Times every runner on every item, alternating per item, so load from other work hits each alike. Only runners that
 * allocate little run together: an allocating baseline (brute force, the previous index) would leave garbage whose
 * collection lands in the other runners' timings; those run in `time` on their own.
 */
function race<T>(items: readonly T[], runners: Record<string, (item: T) => unknown>) {
  // Collect the previous phase's garbage, then warm up again: right after a full collection the first queries
  // run several times slower (bytecode flushed, caches cold), an artefact of this script's gc() call.
  gc();
  for (const item of items.slice(0, 20)) for (const run of Object.values(runners)) run(item);
  const wall: Record<string, number[]> = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(runners).map((k) => [k, []]));
  for (const item of items) {
    for (const [name, run] of Object.entries(runners)) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      run(item);
      wall[name]?.push(performance.now() - t0);
      const used = process.cpuUsage(c0);
      cpu[name]?.push((used.user + used.system) / 1000);
    }
  }
  const out: Record<string, Timing> = {};
  for (const name of Object.keys(runners)) {
    const times = wall[name] as number[];
    out[name] = { n: times.length, ...percentiles(times), cpu: percentiles(cpu[name] as number[]) };
  }
  return out;
}

function time<T>(items: readonly T[], run: (item: T) => unknown): Timing {
  return race(items, { run }).run as Timing;
}

const same = (a: RankOutput, b: RankOutput) =>
  JSON.stringify(a.results.map((r) => [r.vacancyId, r.customerId, r.score])) ===
  JSON.stringify(b.results.map((r) => [r.vacancyId, r.customerId, r.score]));

/**
 * The floor: one pass over typed columns computing KldB proximity (from integer codes) and, where the
 * Berufshauptgruppe matches, the distance, keeping the 20 best of occupation + distance points.
 */
function columnarScan(vacancies: readonly MatchVacancy[]) {
  const codes: string[] = [];
  const codeIds = new Map<string, number>();
  const code = new Uint32Array(vacancies.length);
  const lat = new Float64Array(vacancies.length);
  const lon = new Float64Array(vacancies.length);
  vacancies.forEach((v, i) => {
    let id = codeIds.get(v.kldbCode);
    if (id === undefined) {
      id = codes.push(v.kldbCode) - 1;
      codeIds.set(v.kldbCode, id);
    }
    code[i] = id;
    lat[i] = v.lat ?? 0;
    lon[i] = v.lon ?? 0;
  });
  return (profile: MatchProfile) => {
    const proximity = new Float64Array(codes.map((c) => bestTarget(profile.targetKldbCodes, c).value));
    const best = new Float64Array(20).fill(-1);
    const home = { lat: profile.lat, lon: profile.lon };
    const span = profile.maxCommuteKm - DISTANCE_FULL_KM;
    for (let i = 0; i < code.length; i++) {
      const p = proximity[code[i] as number] as number;
      if (p === 0) continue;
      const d = distanceKm(home, { lat: lat[i] as number, lon: lon[i] as number });
      if (d > profile.maxCommuteKm) continue;
      const points = WEIGHTS.occupation * p + WEIGHTS.distance * (d <= DISTANCE_FULL_KM ? 1 : 1 - (d - 5) / span);
      if (points > (best[19] as number)) {
        best[19] = points;
        best.sort().reverse();
      }
    }
    return best[0];
  };
}

type Engine = {
  buildVacancyIndex: typeof vacancyIndexModule.buildVacancyIndex;
  rankVacanciesForCustomer: typeof vacancyIndexModule.rankVacanciesForCustomer;
  buildCustomerIndex: typeof customerIndexModule.buildCustomerIndex;
  rankCustomersForVacancy: typeof customerIndexModule.rankCustomersForVacancy;
};
const engine: Engine = { ...vacancyIndexModule, ...customerIndexModule };
const previous: Engine | undefined = args.previous
  ? {
      ...(await import(path.resolve(args.previous, 'matchers/engine/vacancy-index.ts'))),
      ...(await import(path.resolve(args.previous, 'matchers/engine/customer-index.ts'))),
    }
  : undefined;

const rng = prng(20260301);
const customers: MatchProfile[] = Array.from({ length: CUSTOMERS }, (_, i) =>
  syntheticProfile(rng, `k${i}`, { now, profileGroup: groupOf(i) }),
);
const market = customers.filter((c) => c.profileGroup === 'market');
const vacancies: MatchVacancy[] = [];
for (let i = 0; i < VACANCIES; i++) vacancies.push(syntheticVacancy(rng, `v${i}`, now, { regionShare: 0.3 }));
const first100k = vacancies.slice(0, 100_000);

const queryRng = prng(99);
const queryVacancies = Array.from({ length: QUERIES }, () => pick(queryRng, first100k));
const queryCustomers = Array.from({ length: QUERIES }, () => pick(queryRng, market));
const longCommuters = Array.from({ length: 100 }, (_, i) => ({
  ...pick(queryRng, market),
  id: `far${i}`,
  maxCommuteKm: LONG_RADII_KM[i % LONG_RADII_KM.length] as number,
}));

const loadAverage = () => os.loadavg().map((l) => Math.round(l * 10) / 10);
const loadAtStart = loadAverage();
const round = (x: number) => Math.round(x);
const timed = <T>(run: () => T): [T, number] => {
  const t0 = performance.now();
  const out = run();
  return [out, performance.now() - t0];
};

const [customerIndex, customerIndexMs] = timed(() => engine.buildCustomerIndex(customers));
const [index100k, index100kMs] = timed(() => engine.buildVacancyIndex(first100k));
const previousCustomerIndex = previous?.buildCustomerIndex(customers);
const previousIndex100k = previous?.buildVacancyIndex(first100k);

// Warm-up so the JIT has compiled the hot paths before anything is timed.
for (const v of queryVacancies.slice(0, 50)) engine.rankCustomersForVacancy(customerIndex, v, opts);
for (const c of queryCustomers.slice(0, 50)) engine.rankVacanciesForCustomer(index100k, c, opts);

const vacancyToCustomers = {
  ...race(queryVacancies, { narrowed: (v) => engine.rankCustomersForVacancy(customerIndex, v, opts) }),
  bruteForce: time(queryVacancies.slice(0, 50), (v) => bruteForceCustomersForVacancy(customers, v, opts)),
  ...(previous && previousCustomerIndex
    ? { previous: time(queryVacancies, (v) => previous.rankCustomersForVacancy(previousCustomerIndex, v, opts)) }
    : {}),
};
const customerToVacancies100k = {
  ...race(queryCustomers, { narrowed: (c) => engine.rankVacanciesForCustomer(index100k, c, opts) }),
  bruteForce: time(queryCustomers.slice(0, 20), (c) => bruteForceVacanciesForCustomer(first100k, c, opts)),
  ...(previous && previousIndex100k
    ? { previous: time(queryCustomers, (c) => previous.rankVacanciesForCustomer(previousIndex100k, c, opts)) }
    : {}),
};

let [suggestions, fullRematchMs] = timed(() => {
  let n = 0;
  for (const c of market) n += engine.rankVacanciesForCustomer(index100k, c, opts).results.length;
  return n;
});
if (previous && previousIndex100k) {
  // A full re-match gives the same suggestions as the previous index.
  for (const c of market) {
    if (
      !same(
        engine.rankVacanciesForCustomer(index100k, c, opts),
        previous.rankVacanciesForCustomer(previousIndex100k, c, opts),
      )
    ) {
      suggestions = -1;
      console.error(`differs from the previous index: ${c.id}`);
    }
  }
}

const memory = () => {
  gc();
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  return { heapUsed, arrayBuffers, rss };
};
const beforeIndex = memory();
const [index1m, index1mMs] = timed(() => engine.buildVacancyIndex(vacancies));
const withIndex = memory();
const scan = columnarScan(vacancies);

for (const c of [...queryCustomers.slice(0, 50), ...longCommuters.slice(0, 20)]) {
  engine.rankVacanciesForCustomer(index1m, c, opts);
  scan(c);
}
const runners1m = {
  narrowed: (c: MatchProfile) => engine.rankVacanciesForCustomer(index1m, c, opts),
  columnarScan: scan,
};
const customerToVacancies1m = {
  ...race(queryCustomers, runners1m),
  bruteForce: time(queryCustomers.slice(0, 5), (c) => bruteForceVacanciesForCustomer(vacancies, c, opts)),
};
const longCommuteToVacancies1m = {
  ...race(longCommuters, runners1m),
  bruteForce: time(longCommuters.slice(0, 5), (c) => bruteForceVacanciesForCustomer(vacancies, c, opts)),
};
if (previous) {
  const previousIndex1m = previous.buildVacancyIndex(vacancies);
  Object.assign(customerToVacancies1m, {
    previous: time(queryCustomers, (c) => previous.rankVacanciesForCustomer(previousIndex1m, c, opts)),
  });
  Object.assign(longCommuteToVacancies1m, {
    previous: time(longCommuters, (c) => previous.rankVacanciesForCustomer(previousIndex1m, c, opts)),
  });
}

// The oracle at full size: every sampled customer gets exactly the brute-force list (ids, scores, order).
const oracleSample = [...queryCustomers.slice(0, ORACLE_SAMPLE / 2), ...longCommuters.slice(0, ORACLE_SAMPLE / 2)];
const mismatches = oracleSample
  .filter(
    (c) => !same(engine.rankVacanciesForCustomer(index1m, c, opts), bruteForceVacanciesForCustomer(vacancies, c, opts)),
  )
  .map((c) => c.id);

const mb = (bytes: number) => Math.round(bytes / 1e6);
console.log(
  JSON.stringify({
    bench: 'match',
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadAverage: { start: loadAtStart, end: loadAverage() },
    customers: CUSTOMERS,
    marketCustomers: market.length,
    vacancies: VACANCIES,
    buildMs: { customers30k: round(customerIndexMs), vacancies100k: round(index100kMs), vacancies: round(index1mMs) },
    vacancyTop20Customers30k: vacancyToCustomers,
    customerTop20Vacancies100k: customerToVacancies100k,
    customerTop20Vacancies: customerToVacancies1m,
    longCommuteTop20Vacancies: { radiiKm: LONG_RADII_KM, ...longCommuteToVacancies1m },
    sameAsBruteForce: { sampled: oracleSample.length, mismatches },
    fullRematchMarket100k: { customers: market.length, ms: round(fullRematchMs), suggestions },
    // Typed columns live outside the JS heap (`arrayBuffers`); both count. `index`: what building it added.
    memoryMb: {
      heapUsed: mb(withIndex.heapUsed),
      arrayBuffers: mb(withIndex.arrayBuffers),
      rss: mb(withIndex.rss),
      index: mb(withIndex.heapUsed + withIndex.arrayBuffers - beforeIndex.heapUsed - beforeIndex.arrayBuffers),
    },
    targets: { customerTop20P95Ms: 10, customerTop20MaxMs: 30, vacancyTop20P95Ms: 1, heapMb: 1000 },
  }),
);
