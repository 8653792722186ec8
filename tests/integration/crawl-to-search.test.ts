/**
 * The user journey of the aggregation issue, end to end over real processes: the service runs on embedded defaults,
 * an administrator adds a local job board with the CLI (forwarded into the running service, which owns the embedded
 * database), crawls it with --wait, and the board's vacancies are findable through the public API within seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliRunBudget, cliTestTimeout, measureCliStart, runCli } from '../helpers/cli.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { type ServiceProcess, startService } from '../helpers/service-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-crawl-e2e-'));
/** CRAWL_ALLOWED_PRIVATE_HOSTS names the board's origin (host and port) once it listens. */
const env: Record<string, string> = {
  DATA_DIR: dataDir,
  DEMO_DATA: 'off',
  LOG_LEVEL: 'warn',
};
let board: JobFeedServer;
let service: ServiceProcess;

const START_MS = measureCliStart();

/** Forwarded into the running service, which owns the embedded database. */
function cli(args: string[]) {
  return runCli(args, { ...env, PORT: String(service.port) }, cliRunBudget(START_MS));
}

beforeAll(async () => {
  board = await startJobFeedServer({ count: 40 });
  env.CRAWL_ALLOWED_PRIVATE_HOSTS = new URL(board.origin).host;
  service = await startService(env);
  await service.waitForHealthy(120_000);
});

afterAll(async () => {
  await service?.stop();
  await board?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('crawls a local board via the CLI and makes its vacancies findable through GET /api/v1/vacancies', {
  timeout: cliTestTimeout(START_MS, 4, 10_000),
}, async () => {
  const added = await cli([
    'sources',
    'add',
    '--type',
    'feed',
    '--url',
    board.feedUrl,
    '--name',
    'Testbörse',
    '--every',
    '1d',
  ]);
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  const sourceId = /Source added: ([0-9a-f-]{36})/.exec(added.stdout)?.[1];
  expect(sourceId).toBeDefined();

  const crawled = await cli(['crawl', '--source', sourceId!, '--wait']);
  expect(crawled.code, crawled.stderr).toBe(0);
  // Adding the source also starts its scheduled first crawl; --wait either runs the crawl or waits for that one.
  expect(crawled.stdout).toMatch(
    /fetched 40, new (40, updated 0, unchanged 0|0, updated 0, unchanged 40), closed 0, duplicates 0, errors 0/,
  );

  const started = Date.now();
  let total = 0;
  while (Date.now() - started < 10_000) {
    const res = await fetch(`${service.baseUrl}/api/v1/vacancies?q=Elektroniker&per_page=50`);
    total = ((await res.json()) as { total: number }).total;
    if (total > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // Every eighth posting of the board is for an Elektroniker.
  expect(total).toBe(5);

  const again = await cli(['crawl', '--source', sourceId!, '--wait']);
  expect(again.stdout).toMatch(/fetched 40, new 0, updated 0, unchanged 40/);

  const listed = await cli(['sources', 'list']);
  expect(listed.stdout).toContain('Testbörse');
  expect(listed.stdout).toMatch(/fetched=40/);
});

it('refuses bad input from the CLI with a clear message and changes nothing', {
  timeout: cliTestTimeout(START_MS, 2),
}, async () => {
  const bad = await cli(['sources', 'add', '--type', 'feed', '--url', 'not a url']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/Ungültige Quelle/);
  const unknown = await cli(['crawl', '--source', '00000000-0000-4000-8000-000000000000', '--wait']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/No source/);
});
