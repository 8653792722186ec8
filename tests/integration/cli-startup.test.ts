/**
 * What a CLI start loads (issue 14, point 6): help and a command forwarded to the running service load none of the
 * database, queue, search, crawler or matcher packages; a command run here loads the database and not the rest.
 * Observed in the real CLI through a resolve hook that writes down every module Node resolves; no timing asserted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunBudget, cliTestTimeout, measureCliStart, runCli } from '../helpers/cli.ts';
import { type ServiceProcess, startService } from '../helpers/service-process.ts';

const START_MS = measureCliStart();
const work = mkdtempSync(join(tmpdir(), 'jobbruecke-cli-startup-'));

/** Packages only a command that does real work may load. */
const HEAVY = [
  '@electric-sql/pglite',
  'drizzle-orm',
  'pg',
  'bullmq',
  'ioredis',
  'playwright-core',
  'minisearch',
  'meilisearch',
  'cheerio',
  'hono',
  '@hono/node-server',
];

/** Node arguments that make the CLI write every module URL it resolves into `file`. */
function recordingModules(file: string): string[] {
  const hooks = [
    "import { appendFileSync } from 'node:fs';",
    'export async function resolve(specifier, context, next) {',
    '  const result = await next(specifier, context);',
    `  appendFileSync(${JSON.stringify(file)}, result.url + '\\n');`,
    '  return result;',
    '}',
  ].join('\n');
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
}

/** The recorded module URLs, and the packages among them. */
function modulesIn(file: string): { urls: string[]; packages: Set<string> } {
  const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const names = urls.flatMap((url) => {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    return match?.[1] ? [match[1]] : [];
  });
  return { urls, packages: new Set(names) };
}

let run = 0;
async function cliLoading(args: string[], env: Record<string, string>) {
  const file = join(work, `modules-${++run}.txt`);
  writeFileSync(file, '');
  const result = await runCli(args, { LOG_LEVEL: 'warn', DEMO_DATA: 'off', ...env }, cliRunBudget(START_MS), {
    nodeArgs: recordingModules(file),
  });
  return { ...result, ...modulesIn(file) };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('what a CLI start loads', () => {
  it('--help and a command’s help load no heavy package', { timeout: cliTestTimeout(START_MS, 2) }, async () => {
    const main = await cliLoading(['--help'], { DATA_DIR: join(work, 'unused') });
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('Commands:');
    expect(main.stdout).toMatch(/sources\s+manage vacancy sources/);
    // The compiled CLI ran (bin/build.js), and the hook saw it: an empty record would prove nothing.
    expect(main.urls.some((url) => /\/\.build\/[^/]+\/cli\.js$/.test(url))).toBe(true);
    expect([...main.packages].filter((p) => HEAVY.includes(p))).toEqual([]);

    const sources = await cliLoading(['sources', '--help'], { DATA_DIR: join(work, 'unused') });
    expect(sources.code).toBe(0);
    expect(sources.stdout).toContain('jobbruecke sources list');
    expect(sources.stdout).toMatch(/Types: .*ba_jobsuche/);
    expect([...sources.packages].filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('help that names values of a heavy module still shows them', {
    timeout: cliTestTimeout(START_MS, 2),
  }, async () => {
    const customers = await cliLoading(['customers', '--help'], { DATA_DIR: join(work, 'unused') });
    expect(customers.code).toBe(0);
    expect(customers.stdout).toMatch(/Deletion reasons: .*erasure_request/);
    const match = await cliLoading(['match', '--help'], { DATA_DIR: join(work, 'unused') });
    expect(match.code).toBe(0);
    expect(match.stdout).toMatch(/--limit <n>\s+length of the list, 1–\d+/);
  });

  it('sources list without a service opens the database and loads nothing else heavy', {
    timeout: cliTestTimeout(START_MS, 2),
  }, async () => {
    const dataDir = join(work, 'direct');
    const first = await cliLoading(['sources', 'list'], { DATA_DIR: dataDir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('No sources yet');
    expect(first.packages).toContain('@electric-sql/pglite');
    expect(first.packages).toContain('drizzle-orm');
    const notNeeded = ['bullmq', 'ioredis', 'playwright-core', 'minisearch', 'meilisearch', 'hono'];
    expect([...first.packages].filter((p) => notNeeded.includes(p))).toEqual([]);
  });

  describe('with a running service', () => {
    const dataDir = join(work, 'service');
    let service: ServiceProcess | undefined;

    beforeAll(async () => {
      service = await startService({ DATA_DIR: dataDir, DEMO_DATA: 'off', LOG_LEVEL: 'warn' });
      await service.waitForHealthy(cliRunBudget(START_MS) * 3);
    }, cliRunBudget(START_MS) * 4);

    afterAll(async () => {
      expect(await service?.stop()).toBe(0);
    }, 60_000);

    it('sources list is forwarded and loads no heavy package', { timeout: cliTestTimeout(START_MS, 2) }, async () => {
      const added = await runCli(
        ['sources', 'add', '--type', 'feed', '--url', 'https://stellen.example.org/feed.xml', '--name', 'Testfeed'],
        { DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        cliRunBudget(START_MS),
      );
      expect(added.code, added.stderr).toBe(0);
      const listed = await cliLoading(['sources', 'list'], { DATA_DIR: dataDir });
      // Run here, the command would have found the database locked by the service.
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('Testfeed');
      expect(listed.stdout).toContain('https://stellen.example.org/feed.xml');
      expect([...listed.packages].filter((p) => HEAVY.includes(p))).toEqual([]);
    });
  });
});
