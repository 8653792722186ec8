/**
 * Matching benchmark on synthetic data (deterministic): narrowed index against brute force in the same run.
 * Prints one JSON line. Run: `npm run bench:match` (tsx scripts/bench-match.ts). Needs about 3 GB of heap.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { buildCustomerIndex, rankCustomersForVacancy } from '../matchers/engine/customer-index.ts';
import type { RankOptions } from '../matchers/engine/rank.ts';
import type { MatchVacancy } from '../matchers/engine/types.ts';
import { buildVacancyIndex, rankVacanciesForCustomer } from '../matchers/engine/vacancy-index.ts';
import type { MatchProfile } from '../src/domain/customer.ts';
import type { ProfileGroup } from '../src/domain/enums.ts';
import { bruteForceCustomersForVacancy, bruteForceVacanciesForCustomer } from '../tests/helpers/match-brute-force.ts';
import { pick, prng, syntheticProfile, syntheticVacancy } from '../tests/helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const opts: RankOptions = { now, limit: 20 };
const CUSTOMERS = 30_000;
const QUERIES = 300;

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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function time<T>(items: readonly T[], run: (item: T) => unknown) {
  const ms: number[] = [];
  for (const item of items) {
    const t0 = performance.now();
    run(item);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { n: ms.length, p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), max: round(ms.at(-1) ?? 0) };
}

function compare(narrowedRun: () => ReturnType<typeof time>, bruteRun: () => ReturnType<typeof time>) {
  const narrowed = narrowedRun();
  const brute = bruteRun();
  return { narrowedMs: narrowed, bruteForceMs: brute, speedupP50: Math.round((brute.p50 / narrowed.p50) * 10) / 10 };
}

const rng = prng(20260301);
const customers: MatchProfile[] = Array.from({ length: CUSTOMERS }, (_, i) =>
  syntheticProfile(rng, `k${i}`, { now, profileGroup: groupOf(i) }),
);
const market = customers.filter((c) => c.profileGroup === 'market');
const vacancies: MatchVacancy[] = [];
for (let i = 0; i < 1_000_000; i++) vacancies.push(syntheticVacancy(rng, `v${i}`, now, { regionShare: 0.3 }));
const first100k = vacancies.slice(0, 100_000);

const queryRng = prng(99);
const queryVacancies = Array.from({ length: QUERIES }, () => pick(queryRng, first100k));
const queryCustomers = Array.from({ length: QUERIES }, () => pick(queryRng, market));

let t0 = performance.now();
const customerIndex = buildCustomerIndex(customers);
const customerIndexMs = performance.now() - t0;
t0 = performance.now();
const index100k = buildVacancyIndex(first100k);
const index100kMs = performance.now() - t0;

// Warm-up so the JIT has compiled the hot paths before anything is timed.
for (const v of queryVacancies.slice(0, 50)) rankCustomersForVacancy(customerIndex, v, opts);
for (const c of queryCustomers.slice(0, 50)) rankVacanciesForCustomer(index100k, c, opts);

const vacancyToCustomers = compare(
  () => time(queryVacancies, (v) => rankCustomersForVacancy(customerIndex, v, opts)),
  () => time(queryVacancies.slice(0, 50), (v) => bruteForceCustomersForVacancy(customers, v, opts)),
);
const customerToVacancies100k = compare(
  () => time(queryCustomers, (c) => rankVacanciesForCustomer(index100k, c, opts)),
  () => time(queryCustomers.slice(0, 20), (c) => bruteForceVacanciesForCustomer(first100k, c, opts)),
);

t0 = performance.now();
let suggestions = 0;
for (const c of market) suggestions += rankVacanciesForCustomer(index100k, c, opts).results.length;
const fullRematchMs = performance.now() - t0;

t0 = performance.now();
const index1m = buildVacancyIndex(vacancies);
const index1mMs = performance.now() - t0;
for (const c of queryCustomers.slice(0, 50)) rankVacanciesForCustomer(index1m, c, opts);
const customerToVacancies1m = compare(
  () => time(queryCustomers, (c) => rankVacanciesForCustomer(index1m, c, opts)),
  () => time(queryCustomers.slice(0, 5), (c) => bruteForceVacanciesForCustomer(vacancies, c, opts)),
);

const round = (x: number) => Math.round(x);
console.log(
  JSON.stringify({
    bench: 'match',
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    customers: CUSTOMERS,
    marketCustomers: market.length,
    buildMs: { customers30k: round(customerIndexMs), vacancies100k: round(index100kMs), vacancies1m: round(index1mMs) },
    vacancyTop20Customers30k: vacancyToCustomers,
    customerTop20Vacancies100k: customerToVacancies100k,
    customerTop20Vacancies1m: customerToVacancies1m,
    fullRematchMarket100k: { customers: market.length, ms: round(fullRematchMs), suggestions },
    heapUsedMb: round(process.memoryUsage().heapUsed / 1e6),
    targets: { vacancyTop20P95Ms: 10, customerTop20P95Ms100k: 25 },
  }),
);
