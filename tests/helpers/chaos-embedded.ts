/**
 * What the chaos scenarios on an embedded `jobbruecke start` need around the process: a data directory with a few
 * synthetic customers (so match lists have something to rank), the service's drain state read from /metrics, every
 * id the search index holds read through the public API, and the database opened by the test while the service is
 * down (PGlite admits one process at a time).
 */
import { join } from 'node:path';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { NO_PROPOSALS } from '../../matchers/engine/proposals.ts';
import { loadVacancies } from '../../matchers/service/load.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { STORED_LIMIT } from '../../matchers/service/match-store.ts';
import { bulkInsert } from '../../src/db/bulk-insert.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { branches, customers, matches, outbox, vacancies, vacancySources } from '../../src/db/schema.ts';
import { generateCustomers } from '../../src/demo/synthetic-customers.ts';
import { testContext } from './context.ts';

/** Polls `check` until it holds; the error names what was awaited and the last state `describe` reports. */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what} ${describe()}`);
}

/** The embedded database of a data directory, opened by the test while no service runs, closed after `use`. */
export async function withEmbeddedDatabase<T>(dataDir: string, use: (database: Database) => Promise<T>): Promise<T> {
  const database = await openPglite(join(dataDir, 'db'));
  try {
    await database.migrate();
    return await use(database);
  } finally {
    await database.close();
  }
}

/** Occupations of the fixture job board (tests/helpers/job-feed-server.ts), by the KldB codes the coder gives them. */
const BOARD_OCCUPATIONS: Array<[code: string, weight: number]> = [
  ['51311', 1],
  ['29302', 1],
  ['62102', 1],
  ['81302', 1],
  ['26212', 1],
  ['52122', 1],
  ['54101', 1],
  ['71402', 1],
];

/** One branch and `count` synthetic customers around Stuttgart, written before the service first starts. */
export async function seedCustomers(dataDir: string, count: number): Promise<void> {
  await withEmbeddedDatabase(dataDir, async ({ db }) => {
    await db.insert(branches).values({ id: 1, name: 'Zweigstelle Chaos (Test)', plz: '70173' });
    const list = generateCustomers(BOARD_OCCUPATIONS, () => 1, new Date()).slice(0, count);
    await bulkInsert(
      db,
      customers,
      list.map((c) => ({
        id: c.id,
        displayName: c.displayName,
        branchId: c.branchId,
        profileGroup: c.profileGroup,
        targetKldbCodes: c.targetKldbCodes,
        plz: c.plz,
        lat: c.lat,
        lon: c.lon,
        maxCommuteKm: c.maxCommuteKm,
        workingTimes: c.workingTimes,
        availableFrom: c.availableFrom,
        consent: c.consent,
      })),
    );
  });
}

/** Prometheus text as `name{labels}` → value. */
export async function readMetrics(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

/**
 * Job states that mean work still to do, per queue. A delayed crawl is the job scheduler's next run, always there;
 * elsewhere a delayed job is one waiting out its backoff before a retry.
 */
const BUSY_STATES: Record<string, string[]> = {
  crawl: ['waiting', 'prioritized', 'active'],
  ingest: ['waiting', 'prioritized', 'delayed', 'active'],
  index: ['waiting', 'prioritized', 'delayed', 'active'],
  match: ['waiting', 'prioritized', 'delayed', 'active'],
};

/** What still keeps the pipeline busy, by /metrics; empty when it has drained. */
export function busyParts(metrics: Map<string, number>): string[] {
  const busy: string[] = [];
  const pending = metrics.get('jobbruecke_ingest_pending_batches');
  if (pending !== 0) busy.push(`ingest_pending_batches=${pending}`);
  const lag = metrics.get('jobbruecke_index_lag_entries');
  if (lag !== 0) busy.push(`index_lag_entries=${lag}`);
  for (const [queue, states] of Object.entries(BUSY_STATES)) {
    for (const state of states) {
      const n = metrics.get(`jobbruecke_queue_jobs{queue="${queue}",state="${state}"}`) ?? 0;
      if (n > 0) busy.push(`${queue}.${state}=${n}`);
    }
  }
  for (const [key, n] of metrics) {
    if (key.startsWith('jobbruecke_crawl_runs{') && key.includes('status="running"') && n > 0) {
      busy.push(`crawl_runs_running=${n}`);
    }
  }
  return busy;
}

/**
 * Waits until /metrics shows nothing pending: no batch to ingest, no crawl running, no pipeline job waiting or
 * running, the index caught up. Its DB figures are up to 5 s old, so the state must hold on two readings 6 s apart.
 */
export async function waitDrained(baseUrl: string, timeoutMs: number): Promise<void> {
  let last: string[] = ['no reading yet'];
  let idleSince: number | undefined;
  await until(
    async () => {
      last = busyParts(await readMetrics(baseUrl));
      if (last.length > 0) {
        idleSince = undefined;
        return false;
      }
      idleSince ??= Date.now();
      return Date.now() - idleSince >= 6_000;
    },
    timeoutMs,
    'the pipeline to drain',
    () => `(still busy: ${last.join(', ')})`,
  );
}

interface SearchPage {
  hits: Array<{ id: string }>;
  total: number;
  facets: { kldb2: Record<string, number> };
}

/** The largest window one query may page through (MAX_RESULT_WINDOW), in pages of the largest size. */
const WINDOW = 1000;
const PER_PAGE = 100;

async function searchPage(baseUrl: string, params: Record<string, string>): Promise<SearchPage> {
  const response = await fetch(`${baseUrl}/api/v1/vacancies?${new URLSearchParams(params)}`);
  if (response.status !== 200) throw new Error(`search answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SearchPage;
}

/**
 * Every vacancy id the running service's search index holds, read through the public API. One query may reach only
 * 1,000 hits, so the index is split by KldB prefix until each part fits. Vacancies without a code are reached by no
 * prefix: they are counted as `unreachable` (total minus what the parts hold) rather than silently left out.
 */
export async function indexedIds(baseUrl: string): Promise<{ ids: string[]; total: number; unreachable: number }> {
  const ids: string[] = [];
  const collect = async (kldb: string | undefined): Promise<number> => {
    const filter: Record<string, string> = kldb ? { kldb } : {};
    const first = await searchPage(baseUrl, { ...filter, sort: 'date', per_page: String(PER_PAGE) });
    if (first.total === 0) return 0;
    if (kldb && (first.total <= WINDOW || kldb.length === 5)) {
      for (let page = 1; (page - 1) * PER_PAGE < Math.min(first.total, WINDOW); page++) {
        const { hits } =
          page === 1
            ? first
            : await searchPage(baseUrl, { ...filter, sort: 'date', per_page: String(PER_PAGE), page: String(page) });
        ids.push(...hits.map((h) => h.id));
      }
      return first.total;
    }
    let reached = 0;
    for (let digit = 0; digit <= 9; digit++) reached += await collect(`${kldb ?? ''}${digit}`);
    return reached;
  };
  const total = (await searchPage(baseUrl, { per_page: '1' })).total;
  const reached = await collect(undefined);
  return { ids, total, unreachable: total - reached };
}

/** Ids of the open vacancies, and vacancies linked more than once to the same posting of a source. */
export async function openVacancies(database: Database): Promise<{ ids: string[]; duplicatePostings: number }> {
  const rows = await database.db.select({ id: vacancies.id }).from(vacancies).where(eq(vacancies.status, 'open'));
  const [dupes] = await database.db.select({ n: sql<number>`coalesce(sum(n - 1), 0)::int` }).from(
    database.db
      .select({ n: sql<number>`count(distinct ${vacancySources.vacancyId})`.as('n') })
      .from(vacancySources)
      .groupBy(vacancySources.sourceId, vacancySources.externalId)
      .as('per_posting'),
  );
  return { ids: rows.map((r) => r.id), duplicatePostings: dupes?.n ?? 0 };
}

/** How stored match lists disagree with the data, once the pipeline has drained; every count 0 when consistent. */
export interface MatchListCheck {
  /** `match` rows of the outbox nobody processed. */
  unprocessed: number;
  /** Vacancy lists stored for a vacancy that is no longer open and matchable. */
  stale: number;
  /** Open, matchable vacancies without a stored list. */
  missing: number;
  /** Stored vacancy lists whose customers differ from a ranking computed now from the DB. */
  differing: number;
  /** Stored vacancy lists compared (for the report). */
  compared: number;
  /** Of those, lists with at least one customer: the check ranked something. */
  nonEmpty: number;
}

export async function checkMatchLists(database: Database): Promise<MatchListCheck> {
  const ctx = testContext(database.db, new Date());
  const [unprocessed] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(and(eq(outbox.topic, 'match'), isNull(outbox.processedAt)));
  const stored = await database.db
    .select({ id: matches.subjectId, results: matches.results, computedAt: matches.computedAt })
    .from(matches)
    .where(eq(matches.subjectType, 'vacancy'));
  const service = await MatchService.load(ctx);
  const storedById = new Map(stored.map((s) => [s.id, s]));
  const open = await database.db.select({ id: vacancies.id }).from(vacancies).where(eq(vacancies.status, 'open'));
  // Open and matchable: the vacancies that must have a list.
  const records = await loadVacancies(
    ctx,
    open.map((r) => r.id),
  );
  const check: MatchListCheck = {
    unprocessed: unprocessed?.n ?? 0,
    stale: 0,
    missing: 0,
    differing: 0,
    compared: 0,
    nonEmpty: 0,
  };
  for (const [id, record] of records) {
    const list = storedById.get(id);
    if (!list) {
      check.missing += 1;
      continue;
    }
    check.compared += 1;
    const storedIds = (list.results as Array<{ customerId: string }>).map((r) => r.customerId);
    if (storedIds.length > 0) check.nonEmpty += 1;
    const fresh = service.rankCustomers(record, {
      limit: STORED_LIMIT,
      includeActivation: true,
      now: list.computedAt,
      proposals: NO_PROPOSALS,
    });
    if (JSON.stringify(fresh.results.map((r) => r.customerId)) !== JSON.stringify(storedIds)) check.differing += 1;
  }
  for (const id of storedById.keys()) if (!records.has(id)) check.stale += 1;
  return check;
}
