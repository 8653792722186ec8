/**
 * Search benchmark (`npm run bench:search`): 100,000 synthetic vacancies in the embedded engine, typical kiosk
 * queries and a worst-case set, each compared with a naive full scan (lowercase substring match + filters + sort)
 * over the same documents in the same process. Prints a table per set and one JSON line with all figures last.
 * Options: --docs N (default 100000), --seed N (default 42), --naive all|sample|none (the scan baseline for every
 * query, every fifth, or none; default all up to 200,000 documents, else sample, since one scan of a million
 * documents takes about a second), --slowest N (list the N slowest engine queries), --snapshot (also time writing
 * and loading the index snapshot). Run with `--expose-gc` for meaningful memory figures.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateVacancies } from '../src/demo/synthetic-vacancies.ts';
import type { WorkingTime } from '../src/domain/enums.ts';
import { distanceKm, lookupPlace, lookupPlz } from '../src/geo/plz.ts';
import { EmbeddedSearchEngine } from '../src/search/embedded.ts';
import { SearchQuery, type SearchQueryInput } from '../src/search/search-engine.ts';
import { readSnapshot, writeSnapshot } from '../src/search/snapshot.ts';
import { toVacancyDocument, type VacancyDocument } from '../src/vacancies/vacancy.ts';
import { KIOSK_PLACES, KIOSK_TIMES, KIOSK_WORDS } from './kiosk-queries.ts';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '42' },
    naive: { type: 'string' },
    slowest: { type: 'string', default: '0' },
    snapshot: { type: 'boolean', default: false },
  },
});
const DOCS = Number(values.docs);
const SEED = Number(values.seed);
const NAIVE = values.naive ?? (DOCS <= 200_000 ? 'all' : 'sample');
const NAIVE_SAMPLE_EVERY = 5;
/** Fixed clock so two runs index identical data. */
const NOW = Date.UTC(2026, 0, 15, 12);
const BATCH = 1000;

const KIOSK_RADII = [10, 15, 25];

const WORST_CASE: SearchQueryInput[] = [
  ...['mitarbeiter', 'helfer', 'Mitarbeiter Helfer', 'Bewerbung', 'ab sofort Deutschkenntnisse', 'wir freuen'].map(
    (q) => ({ q }),
  ),
  ...['m', 'e', 's', 'a', 'k', 'p'].map((q) => ({ q })),
  ...['Elektirker', 'Pflgefachkraft', 'Verkaufer', 'Lagr', 'kuechenhilfe', 'Kommisionierer'].map((q) => ({ q })),
  { q: 'helfer', sort: 'date' },
  { q: 'mitarbeiter', page: 50, perPage: 20 },
  { page: 10, perPage: 100 },
  { q: 'e', near: { lat: 48.7784, lon: 9.18, radiusKm: 100 }, sort: 'distance' },
];

function near(place: string, radiusKm: number) {
  const entry = /^\d{5}$/.test(place) ? lookupPlz(place) : lookupPlace(place);
  if (!entry) throw new Error(`unknown place ${place}`);
  return { lat: entry.lat, lon: entry.lon, radiusKm };
}

/** Deterministic mix: every word alone, with a place and radius, and with a working-time filter. */
function kioskQueries(): SearchQueryInput[] {
  const queries: SearchQueryInput[] = [];
  KIOSK_WORDS.forEach((q, i) => {
    const place = KIOSK_PLACES[i % KIOSK_PLACES.length] as string;
    const radiusKm = KIOSK_RADII[i % KIOSK_RADII.length] as number;
    const workingTimes = KIOSK_TIMES[i % KIOSK_TIMES.length] as WorkingTime[];
    queries.push(
      { q },
      { q, near: near(place, radiusKm) },
      { q, near: near(place, radiusKm), workingTimes },
      { q, workingTimes, sort: 'date' },
      { q, near: near(place, radiusKm), sort: 'distance' },
    );
  });
  return queries;
}

interface NaiveDoc {
  text: string;
  doc: VacancyDocument;
}

/** What a first implementation would do: substring match on lowercased text, filter objects, sort everything. */
function naiveSearch(corpus: NaiveDoc[], query: SearchQuery): number {
  const needles = (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const matches: Array<{ doc: VacancyDocument; km: number }> = [];
  for (const { text, doc } of corpus) {
    if (!needles.every((needle) => text.includes(needle))) continue;
    if (query.workingTimes && !doc.workingTimes.some((t) => query.workingTimes?.includes(t))) continue;
    if (query.kldb && !doc.kldbCode?.startsWith(query.kldb)) continue;
    if (query.contractType && doc.contractType !== query.contractType) continue;
    if (query.offerType && doc.offerType !== query.offerType) continue;
    if (query.publishedSince && doc.publishedAt < query.publishedSince) continue;
    let km = 0;
    if (query.near) {
      if (doc.lat === null || doc.lon === null) continue;
      km = distanceKm(query.near, { lat: doc.lat, lon: doc.lon });
      if (km > query.near.radiusKm) continue;
    }
    matches.push({ doc, km });
  }
  matches.sort((a, b) => (query.sort === 'distance' ? a.km - b.km : b.doc.publishedAt - a.doc.publishedAt));
  return matches.slice((query.page - 1) * query.perPage, query.page * query.perPage).length;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1) ?? 0) };
}

async function time(queries: readonly SearchQuery[], run: (q: SearchQuery) => unknown): Promise<number[]> {
  for (const query of queries) await run(query); // warm-up: JIT and the vocabulary's lazy lookup tables
  const ms: number[] = [];
  for (const query of queries) {
    const start = performance.now();
    await run(query);
    ms.push(performance.now() - start);
  }
  return ms;
}

function memoryMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.arrayBuffers) / 1_048_576;
}

const loadAverage = async () => (await import('node:os')).loadavg().map((n) => Math.round(n * 10) / 10);

const docs = generateVacancies(DOCS, SEED, NOW).map((v, i) =>
  toVacancyDocument({ ...v, id: `bench-${i}`, createdAt: v.publishedAt }),
);
// Every answer computed: the warm-up asks each query once, and the answer cache would then time lookups, not searches.
const engine = new EmbeddedSearchEngine({ keepAnswers: false });
const memoryBefore = memoryMb();
const buildStart = performance.now();
for (let i = 0; i < docs.length; i += BATCH) await engine.upsert(docs.slice(i, i + BATCH));
const buildMs = performance.now() - buildStart;
const indexMb = memoryMb() - memoryBefore;

const corpus: NaiveDoc[] = (NAIVE === 'none' ? [] : docs).map((doc) => ({
  doc,
  text: [doc.title, doc.kldbTitle, doc.employerName, doc.place, doc.plz, doc.description].join(' ').toLowerCase(),
}));

const sets = { kiosk: kioskQueries(), worstCase: WORST_CASE };
const report: Record<string, unknown> = {
  docs: DOCS,
  seed: SEED,
  node: process.version,
  cpus: (await import('node:os')).availableParallelism(),
  loadAverageAtStart: await loadAverage(),
  buildMs: Math.round(buildMs),
  indexMemoryMb: Math.round(indexMb),
  rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
  gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  naive: NAIVE,
};
const slowest: Array<{ ms: number; query: SearchQueryInput }> = [];
for (const [name, inputs] of Object.entries(sets)) {
  const queries = inputs.map((input) => SearchQuery.parse(input));
  const engineMs = await time(queries, (q) => engine.search(q));
  engineMs.forEach((ms, i) => {
    slowest.push({ ms: Math.round(ms * 100) / 100, query: inputs[i] as SearchQueryInput });
  });
  const engineStats = stats(engineMs);
  const baseline = NAIVE === 'all' ? queries : queries.filter((_, i) => i % NAIVE_SAMPLE_EVERY === 0);
  const naiveStats = NAIVE === 'none' ? undefined : stats(await time(baseline, (q) => naiveSearch(corpus, q)));
  const ratio = naiveStats && {
    p50: Math.round((naiveStats.p50 / engineStats.p50) * 10) / 10,
    p95: Math.round((naiveStats.p95 / engineStats.p95) * 10) / 10,
  };
  report[name] = {
    queries: queries.length,
    engine: engineStats,
    naive: naiveStats && { queries: baseline.length, ...naiveStats },
    naiveOverEngine: ratio,
  };
  console.log(`${name} (${queries.length} queries; naive scan over ${naiveStats ? baseline.length : 0}) ms`);
  console.table(naiveStats ? { engine: engineStats, naive: naiveStats } : { engine: engineStats });
}
const showSlowest = Number(values.slowest);
if (showSlowest > 0) {
  console.log(`slowest ${showSlowest} engine queries (ms, query):`);
  for (const { ms, query } of slowest.sort((a, b) => b.ms - a.ms).slice(0, showSlowest)) {
    console.log(ms, JSON.stringify(query));
  }
}
if (values.snapshot) {
  // What a restart pays for the index instead of a rebuild: taking the state, writing it, reading and loading it.
  const dir = await mkdtemp(join(tmpdir(), 'bench-search-'));
  const file = join(dir, 'search-index.snapshot');
  try {
    const writeStart = performance.now();
    const meta = {
      position: 0,
      positionRow: null,
      database: 'bench',
      documents: DOCS,
      writtenAt: new Date().toISOString(),
    };
    const bytes = await writeSnapshot(file, engine.toState(), meta);
    const writeMs = performance.now() - writeStart;
    const loadStart = performance.now();
    const read = await readSnapshot(file);
    if (!read.ok) throw new Error(`snapshot not readable: ${read.problem}`);
    const restored = new EmbeddedSearchEngine();
    restored.restore(read.state);
    const loadMs = performance.now() - loadStart;
    const snapshot = { mb: Math.round(bytes / 1_048_576), writeMs: Math.round(writeMs), loadMs: Math.round(loadMs) };
    report.snapshot = snapshot;
    console.log(`snapshot ${snapshot.mb} MB: written in ${snapshot.writeMs} ms, loaded in ${snapshot.loadMs} ms`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
report.loadAverageAtEnd = await loadAverage();
console.log(
  `index build ${report.buildMs} ms, index memory ≈ ${report.indexMemoryMb} MB, rss ${report.rssMb} MB, load average ${JSON.stringify(report.loadAverageAtStart)} → ${JSON.stringify(report.loadAverageAtEnd)}`,
);
console.log(JSON.stringify(report));
