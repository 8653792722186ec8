/**
 * Kiosk page benchmark (`npm run bench:pages`), two figures with their targets (issue 13):
 * 1. page weight of the kiosk start page: its HTML plus every stylesheet, script and image it loads (≤ 100 kB);
 * 2. server response time of a kiosk result page at 100,000 vacancies (p95 ≤ 50 ms), with the JSON API's search
 *    for the same queries as the baseline in the same run, so the ratio shows what rendering the page costs.
 * The app is the real one (`createApp`, all middleware), asked in-process; the vacancies are synthesised and indexed
 * as in `bench:search`. Prints a table and one JSON line with all figures last.
 * Options: --docs N (default 100000), --seed N (default 42), --rounds N (default 3).
 */

import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createApp } from '../api/app.ts';
import { MatchService } from '../matchers/service/match-service.ts';
import { openPglite } from '../src/db/client.ts';
import { generateVacancies } from '../src/demo/synthetic-vacancies.ts';
import { createLogger } from '../src/logging.ts';
import { EmbeddedSearchEngine } from '../src/search/embedded.ts';
import { toVacancyDocument } from '../src/vacancies/vacancy.ts';
import { kioskApiPath, kioskPagePath, kioskQueries } from './lib/kiosk-requests.ts';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '42' },
    rounds: { type: 'string', default: '3' },
  },
});
const DOCS = Number(values.docs);
const SEED = Number(values.seed);
const ROUNDS = Number(values.rounds);
const NOW = Date.UTC(2026, 0, 15, 12);
const BATCH = 1000;
const WEIGHT_BUDGET_BYTES = 100 * 1024;
const P95_TARGET_MS = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1) ?? 0) };
}

const log = createLogger('silent');
const database = await openPglite(undefined);
await database.migrate();
const ctx = { db: database.db, log, now: () => new Date(NOW) };
// Every answer computed, as in bench:search: the rounds repeat each query, which the answer cache would serve.
const search = new EmbeddedSearchEngine({ keepAnswers: false });
await search.init();
const buildStart = performance.now();
const vacancies = generateVacancies(DOCS, SEED, NOW);
for (let i = 0; i < vacancies.length; i += BATCH) {
  await search.upsert(
    vacancies
      .slice(i, i + BATCH)
      .map((v, j) => toVacancyDocument({ ...v, id: `bench-${i + j}`, createdAt: v.publishedAt })),
  );
}
const buildMs = performance.now() - buildStart;
const app = createApp({
  ctx,
  search,
  matchService: await MatchService.load(ctx),
  publicRequestsPerMinute: Number.MAX_SAFE_INTEGER,
  health: async () => ({ status: 'up', components: {} as never }),
});

async function get(path: string): Promise<{ status: number; body: Uint8Array }> {
  const res = await app.request(path);
  return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
}

// 1. Page weight of the start page: the HTML and everything it references (data: images are inside the HTML).
const start = await get('/kiosk');
if (start.status !== 200) throw new Error(`/kiosk answered ${start.status}`);
const html = new TextDecoder().decode(start.body);
const references = [
  ...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g),
  ...html.matchAll(/<script[^>]+src="([^"]+)"/g),
  ...html.matchAll(/<img[^>]+src="(\/[^"]+)"/g),
].map((m) => (m[1] as string).replaceAll('&amp;', '&'));
const parts: Array<{ url: string; bytes: number; gzip: number }> = [
  { url: '/kiosk', bytes: start.body.byteLength, gzip: gzipSync(start.body).byteLength },
];
for (const url of references) {
  const asset = await get(url);
  if (asset.status !== 200) throw new Error(`${url} answered ${asset.status}`);
  parts.push({ url, bytes: asset.body.byteLength, gzip: gzipSync(asset.body).byteLength });
}
const weight = parts.reduce((sum, p) => sum + p.bytes, 0);
const weightGzip = parts.reduce((sum, p) => sum + p.gzip, 0);
console.log('kiosk start page weight (bytes)');
console.table(parts);

// 2. Result page vs. API, interleaved so both see the same machine load.
const mix = kioskQueries();
for (const query of mix) {
  // Warm-up, and a check that both answer what the benchmark claims to measure.
  const page = await get(kioskPagePath(query));
  const api = await get(kioskApiPath(query));
  if (page.status !== 200 || api.status !== 200) {
    throw new Error(`${kioskPagePath(query)} → ${page.status}, ${kioskApiPath(query)} → ${api.status}`);
  }
}
const pageMs: number[] = [];
const apiMs: number[] = [];
let pageBytes = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const query of mix) {
    let t = performance.now();
    const page = await get(kioskPagePath(query));
    pageMs.push(performance.now() - t);
    pageBytes += page.body.byteLength;
    t = performance.now();
    await get(kioskApiPath(query));
    apiMs.push(performance.now() - t);
  }
}
const pageStats = stats(pageMs);
const apiStats = stats(apiMs);
console.log(`result page vs. JSON API, ${mix.length} queries × ${ROUNDS} rounds, ms`);
console.table({ 'kiosk result page': pageStats, 'JSON API (baseline)': apiStats });

const report = {
  docs: DOCS,
  seed: SEED,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: availableParallelism(),
  indexBuildMs: Math.round(buildMs),
  startPage: {
    bytes: weight,
    gzipBytes: weightGzip,
    budgetBytes: WEIGHT_BUDGET_BYTES,
    withinBudget: weight <= WEIGHT_BUDGET_BYTES,
    parts,
  },
  resultPage: {
    requests: pageMs.length,
    page: pageStats,
    api: apiStats,
    pageOverApi: {
      p50: Math.round((pageStats.p50 / apiStats.p50) * 100) / 100,
      p95: Math.round((pageStats.p95 / apiStats.p95) * 100) / 100,
    },
    meanPageBytes: Math.round(pageBytes / pageMs.length),
    targetP95Ms: P95_TARGET_MS,
    withinTarget: pageStats.p95 <= P95_TARGET_MS,
  },
};
console.log(
  `start page ${weight} bytes (${weightGzip} gzip), budget ${WEIGHT_BUDGET_BYTES}; ` +
    `result page p95 ${pageStats.p95} ms (API ${apiStats.p95} ms), target ${P95_TARGET_MS} ms`,
);
await search.close();
await database.close();
console.log(JSON.stringify(report));
