/**
 * Search benchmark (`npm run bench:search`): 100,000 synthetic vacancies in the embedded engine, typical kiosk
 * queries and a worst-case set, each compared with a naive full scan (lowercase substring match + filters + sort)
 * over the same documents in the same process. Prints a table per set and one JSON line with all figures last.
 * Options: --docs N (default 100000), --seed N (default 42). Run with `--expose-gc` for meaningful memory figures.
 */
import { parseArgs } from 'node:util';
import { generateVacancies } from '../src/demo/synthetic-vacancies.ts';
import type { WorkingTime } from '../src/domain/enums.ts';
import { distanceKm, lookupPlace, lookupPlz } from '../src/geo/plz.ts';
import { EmbeddedSearchEngine } from '../src/search/embedded.ts';
import { SearchQuery, type SearchQueryInput } from '../src/search/search-engine.ts';
import { toVacancyDocument, type VacancyDocument } from '../src/vacancies/vacancy.ts';

const { values } = parseArgs({
  options: { docs: { type: 'string', default: '100000' }, seed: { type: 'string', default: '42' } },
});
const DOCS = Number(values.docs);
const SEED = Number(values.seed);
/** Fixed clock so two runs index identical data. */
const NOW = Date.UTC(2026, 0, 15, 12);
const BATCH = 1000;

const KIOSK_WORDS = [
  'Lager',
  'Koch',
  'Pflege',
  'Verkäufer',
  'Fahrer',
  'Elektriker',
  'Reinigung',
  'Küchenhilfe',
  'Staplerfahrer',
  'Pflegehelfer',
  'Helfer Lager',
  'Berufskraftfahrer CE',
  'Kassierer',
  'Erzieher',
  'Bürokaufmann Teilzeit',
  'Fachkraft Lagerlogistik',
  'Altenpfleger',
  'Hausmeister',
  'Mechatroniker',
  'Friseur',
];
const KIOSK_PLACES = ['Stuttgart', 'Esslingen am Neckar', 'Ludwigsburg', '71032', 'Waiblingen', 'Göppingen', '70563'];
const KIOSK_RADII = [10, 15, 25];
const KIOSK_TIMES: WorkingTime[][] = [['teilzeit'], ['vollzeit'], ['minijob', 'teilzeit']];

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

async function time(queries: SearchQuery[], run: (q: SearchQuery) => unknown): Promise<number[]> {
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

const docs = generateVacancies(DOCS, SEED, NOW).map((v, i) =>
  toVacancyDocument({ ...v, id: `bench-${i}`, createdAt: v.publishedAt }),
);
const engine = new EmbeddedSearchEngine();
const memoryBefore = memoryMb();
const buildStart = performance.now();
for (let i = 0; i < docs.length; i += BATCH) await engine.upsert(docs.slice(i, i + BATCH));
const buildMs = performance.now() - buildStart;
const indexMb = memoryMb() - memoryBefore;

const corpus: NaiveDoc[] = docs.map((doc) => ({
  doc,
  text: [doc.title, doc.kldbTitle, doc.employerName, doc.place, doc.plz, doc.description].join(' ').toLowerCase(),
}));

const sets = { kiosk: kioskQueries(), worstCase: WORST_CASE };
const report: Record<string, unknown> = {
  docs: DOCS,
  seed: SEED,
  node: process.version,
  cpus: (await import('node:os')).availableParallelism(),
  buildMs: Math.round(buildMs),
  indexMemoryMb: Math.round(indexMb),
  gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
};
for (const [name, inputs] of Object.entries(sets)) {
  const queries = inputs.map((input) => SearchQuery.parse(input));
  const engineStats = stats(await time(queries, (q) => engine.search(q)));
  const naiveStats = stats(await time(queries, (q) => naiveSearch(corpus, q)));
  const ratio = {
    p50: Math.round((naiveStats.p50 / engineStats.p50) * 10) / 10,
    p95: Math.round((naiveStats.p95 / engineStats.p95) * 10) / 10,
  };
  report[name] = { queries: queries.length, engine: engineStats, naive: naiveStats, naiveOverEngine: ratio };
  console.log(`${name} (${queries.length} queries) ms`);
  console.table({ engine: engineStats, naive: naiveStats });
}
console.log(`index build ${report.buildMs} ms, index memory ≈ ${report.indexMemoryMb} MB`);
console.log(JSON.stringify(report));
