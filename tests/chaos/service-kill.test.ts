/**
 * The whole embedded service (`jobbruecke start` with a data directory: database, queues, search index and matcher
 * in one process) killed with SIGKILL while it ingests a crawl of a fixture job board, then started again. Once it
 * has drained, the search index (every id, read through the public API) equals the DB's open vacancies, no posting
 * became two vacancies, and every stored match list equals a ranking computed afresh. Run twice: from a fresh data
 * directory, and with a search snapshot from an earlier clean stop, whose vacancies have since been added to and
 * closed, so a snapshot that hid later changes would show.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq, isNull } from 'drizzle-orm';
import { afterAll, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { ingestBatches, vacancies } from '../../src/db/schema.ts';
import { SNAPSHOT_FILE } from '../../src/search/index-start.ts';
import { reportCounts } from '../helpers/chaos.ts';
import {
  checkMatchLists,
  indexedIds,
  openVacancies,
  seedCustomers,
  until,
  waitDrained,
  withEmbeddedDatabase,
} from '../helpers/chaos-embedded.ts';
import { runCli } from '../helpers/cli.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { type ServiceProcess, startService } from '../helpers/service-process.ts';

/** The machine is shared and often loaded many times over: waits are generous, never a measure of speed. */
const START_MS = 300_000;
const DRAIN_MS = 1_800_000;
const CLI_MS = 300_000;
const CUSTOMERS = 300;

const boards: JobFeedServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const board of boards) await board.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function setUp(postings: number) {
  const board = await startJobFeedServer({ count: postings });
  boards.push(board);
  const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-chaos-service-'));
  dirs.push(dataDir);
  await seedCustomers(dataDir, CUSTOMERS);
  const env = {
    DATA_DIR: dataDir,
    DEMO_DATA: 'off',
    CRAWL_ALLOWED_PRIVATE_HOSTS: new URL(board.origin).host,
    // The test reads the whole index through the public API: loopback gets the kiosk budget.
    KIOSK_NETWORKS: '127.0.0.1/32',
    // Every finished job is logged at debug: the test kills on the log's count.
    LOG_LEVEL: 'debug',
  };
  const cli = async (args: string[]) => {
    const result = await runCli(args, { ...env, LOG_LEVEL: 'warn' }, CLI_MS);
    expect(result.stderr, `jobbruecke ${args.join(' ')}`).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  };
  const start = async () => {
    const service = await startService(env);
    await service.waitForHealthy(START_MS);
    return service;
  };
  return { board, dataDir, cli, start };
}

async function searchTotal(service: ServiceProcess): Promise<number> {
  const response = await fetch(`${service.baseUrl}/api/v1/vacancies?per_page=1`);
  return ((await response.json()) as { total: number }).total;
}

/** Ingest jobs the service has finished, by its debug log: the moment to kill is read there, not from the DB it holds. */
function ingestJobsFinished(service: ServiceProcess): number {
  return (service.output().match(/"queue":"ingest","job":"ingest"[^\n]*"msg":"job finished"/g) ?? []).length;
}

/** Kills the service once it has ingested `batches` batches, and proves from the DB that more were left. */
async function killDuringIngest(service: ServiceProcess, dataDir: string, batches: number) {
  await until(async () => ingestJobsFinished(service) >= batches, DRAIN_MS, `${batches} ingest jobs to finish`);
  expect(await service.stop('SIGKILL')).toBeNull();
  return withEmbeddedDatabase(dataDir, async (database) => {
    const [pending] = await database.db
      .select({ n: count() })
      .from(ingestBatches)
      .where(isNull(ingestBatches.processedAt));
    // Killed in the middle: batches staged and not yet ingested, not after the work.
    expect(pending?.n ?? 0).toBeGreaterThan(0);
    return { committed: await database.db.$count(vacancies), pendingBatches: pending?.n ?? 0 };
  });
}

/** After a restart: drained, every indexed id read, stopped cleanly, then index and match lists checked against the DB. */
async function checkAfterRestart(
  service: ServiceProcess,
  dataDir: string,
  scenario: string,
  expected: { sent: number; acknowledged: number; open: number },
) {
  await waitDrained(service.baseUrl, DRAIN_MS);
  const index = await indexedIds(service.baseUrl);
  expect(await service.stop('SIGTERM', 120_000)).toBe(0);
  await withEmbeddedDatabase(dataDir, async (database: Database) => {
    const db = await openVacancies(database);
    const open = new Set(db.ids);
    const indexed = new Set(index.ids);
    const notIndexed = db.ids.filter((id) => !indexed.has(id)).length;
    const notOpen = index.ids.filter((id) => !open.has(id)).length;
    const repeated = index.ids.length - indexed.size;
    const matchLists = await checkMatchLists(database);
    reportCounts(scenario, {
      sent: expected.sent,
      acknowledged: expected.acknowledged,
      stored: db.ids.length,
      duplicated: db.duplicatePostings + notOpen + repeated,
      lost: Math.max(0, expected.open - db.ids.length) + notIndexed + index.unreachable,
    });
    process.stdout.write(`[chaos] ${scenario}: match lists ${JSON.stringify(matchLists)}\n`);

    expect(db.ids.length).toBe(expected.open);
    expect(db.duplicatePostings).toBe(0);
    expect(index.unreachable).toBe(0);
    expect(index.total).toBe(db.ids.length);
    expect({ notIndexed, notOpen, repeated }).toEqual({ notIndexed: 0, notOpen: 0, repeated: 0 });
    expect(matchLists).toMatchObject({ unprocessed: 0, stale: 0, missing: 0, differing: 0 });
    expect(matchLists.nonEmpty).toBeGreaterThan(0);
  });
}

it('SIGKILL during ingest: after a restart the index equals the open vacancies', { timeout: 3_600_000 }, async () => {
  const POSTINGS = 5_000;
  const { dataDir, board, cli, start } = await setUp(POSTINGS);
  const first = await start();
  // The new source's job scheduler crawls it at once; the crawl stages 10 batches, ingested one by one.
  await cli(['sources', 'add', '--type', 'feed', '--url', board.feedUrl, '--name', 'Testbörse (Chaos)']);
  const killed = await killDuringIngest(first, dataDir, 3);

  const second = await start();
  await checkAfterRestart(second, dataDir, 'service SIGKILL during ingest', {
    sent: POSTINGS,
    acknowledged: killed.committed,
    open: POSTINGS,
  });
});

it('SIGKILL during ingest with a snapshot from an earlier clean stop: the snapshot hides no later change', {
  timeout: 3_600_000,
}, async () => {
  const POSTINGS = 2_500;
  const { dataDir, board, cli, start } = await setUp(POSTINGS);
  const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  // Before the snapshot: postings 0–2499 open, and 0–499 already missed by one complete crawl (the second miss closes).
  const first = await start();
  const added = await cli(['sources', 'add', '--type', 'feed', '--url', board.feedUrl, '--name', 'Testbörse (Chaos)']);
  const sourceId = /Source added: ([0-9a-f-]{36})/.exec(added)?.[1] as string;
  await cli(['crawl', '--source', sourceId, '--wait']);
  board.setItems(ids(500, 2_500));
  await cli(['crawl', '--source', sourceId, '--wait']);
  await waitDrained(first.baseUrl, DRAIN_MS);
  expect(await searchTotal(first)).toBe(2_500);
  expect(await first.stop('SIGTERM', 120_000)).toBe(0);
  expect(existsSync(join(dataDir, SNAPSHOT_FILE))).toBe(true);

  // After it: 3,000 new postings (2500–5499), and 0–499 missed a second time, so closed by the run's last batch.
  board.setItems(ids(500, 5_500));
  const second = await start();
  expect(second.output()).toContain('embedded search index loaded from its snapshot');
  await cli(['crawl', '--source', sourceId]);
  const killed = await killDuringIngest(second, dataDir, 3);

  const third = await start();
  // The snapshot of the clean stop is still the one on disk: the restart must catch up from its position.
  expect(third.output()).toContain('embedded search index loaded from its snapshot');
  expect(third.output()).not.toContain('search index snapshot not used');
  await checkAfterRestart(third, dataDir, 'service SIGKILL during ingest, snapshot from a clean stop', {
    sent: 5_500,
    acknowledged: killed.committed,
    open: 5_000,
  });
  await withEmbeddedDatabase(dataDir, async (database) => {
    // The closed ones are closed, not just missing from the index.
    expect(await database.db.$count(vacancies, eq(vacancies.status, 'closed'))).toBe(500);
  });
});
