/**
 * `jobbruecke backup` and `restore` as an administrator runs them: the backup sent into the running service, the
 * restore run on its own into an empty directory beside it, and `jobbruecke start` on the restored directory
 * answering as the original did at the backup's moment (later changes are not in it). Also the backup of a stopped
 * installation, and the refusals an operator sees as one line.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/client.ts';
import { cliRunBudget, cliTestTimeout, measureCliStart, runCli } from '../helpers/cli.ts';
import { type ServiceProcess, startService } from '../helpers/service-process.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const START_MS = measureCliStart();
const work = mkdtempSync(join(tmpdir(), 'jobbruecke-cli-backup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ORIGINAL = join(work, 'original');
const COPY = join(work, 'copy');
const BACKUP = join(work, 'backups', 'live.jbk');
const QUERIES = ['q=lager', 'q=pflege&sort=date', 'working_time=teilzeit'];

const env = (dataDir: string) => ({
  DATA_DIR: dataDir,
  DEMO_DATA: 'off',
  LOG_LEVEL: 'warn',
  KIOSK_NETWORKS: '127.0.0.1',
});
const cli = (args: string[], dataDir: string) => runCli(args, env(dataDir), cliRunBudget(START_MS));

async function answers(service: ServiceProcess) {
  const result: Record<string, unknown> = {};
  for (const q of QUERIES) {
    const body = (await (await fetch(`${service.baseUrl}/api/v1/vacancies?${q}&per_page=100`)).json()) as {
      total: number;
      hits: Array<{ id: string }>;
    };
    result[q] = { total: body.total, ids: body.hits.map((h) => h.id).sort() };
  }
  return result;
}

describe('backup and restore from the command line', () => {
  let original: ServiceProcess | undefined;
  let copy: ServiceProcess | undefined;

  beforeAll(async () => {
    const database = await openPglite(join(ORIGINAL, 'db'));
    await database.migrate();
    await insertSyntheticVacancies(database.db, 300, new Date(), 31);
    await database.close();
    mkdirSync(join(work, 'backups'));
  });
  afterAll(async () => {
    await original?.stop();
    await copy?.stop();
  }, 60_000);

  it('backs up the running service, restores beside it, and the restored service answers as at the backup', {
    timeout: cliTestTimeout(START_MS, 9, 240_000),
  }, async () => {
    original = await startService(env(ORIGINAL));
    await original.waitForHealthy(cliRunBudget(START_MS) * 3);
    const before = await answers(original);
    expect(
      await cli(['users', 'add', '--role', 'admin', '--email', 'vor-der-sicherung@backup.test.invalid'], ORIGINAL),
    ).toMatchObject({ code: 0 });

    const relative = await cli(['backup', 'relativ.jbk'], ORIGINAL);
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain('give FILE as an absolute path');
    const backup = await cli(['backup', BACKUP], ORIGINAL);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(
      /^Backup written: .*live\.jbk .*\d+ tables, \d+ rows; installation [0-9a-f]{12}, migration \d{4}_/,
    );
    expect(statSync(BACKUP).mode & 0o777).toBe(0o600);
    // After the backup: not in it.
    expect(
      await cli(['users', 'add', '--role', 'admin', '--email', 'nach-der-sicherung@backup.test.invalid'], ORIGINAL),
    ).toMatchObject({ code: 0 });

    const inside = await cli(['restore', BACKUP], ORIGINAL);
    expect(inside.code).toBe(1);
    expect(inside.stderr.trim()).toBe(
      `Error: a Jobbrücke service is running on ${ORIGINAL}. Stop it and move its data aside first, or restore ` +
        'into another, empty directory: jobbruecke restore FILE --data-dir DIR.',
    );

    // Beside the running original: another data directory, which no service uses.
    const restored = await cli(['restore', BACKUP], COPY);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    // The database only: the search index and the matcher are built from it at the start.
    expect(readdirSync(COPY)).toEqual(['db']);
    const again = await cli(['restore', BACKUP], COPY);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`Error: ${COPY} is not empty (db); restore only into an empty data directory.`);

    expect(await original.stop()).toBe(0);
    original = undefined;
    copy = await startService(env(COPY));
    await copy.waitForHealthy(cliRunBudget(START_MS) * 3);
    expect(await answers(copy)).toEqual(before);
    const listed = await cli(['users', 'list'], COPY);
    expect(listed.stdout).toContain('vor-der-sicherung@backup.test.invalid');
    expect(listed.stdout).not.toContain('nach-der-sicherung@backup.test.invalid');
    expect(await copy.stop()).toBe(0);
    copy = undefined;

    // The stopped original: the CLI opens its database itself.
    const stopped = await cli(['backup', join(work, 'backups', 'stopped.jbk')], ORIGINAL);
    expect(stopped.stderr).toBe('');
    expect(stopped.code).toBe(0);
    expect(readdirSync(join(work, 'backups')).sort()).toEqual(['live.jbk', 'stopped.jbk']);
    expect(existsSync(join(ORIGINAL, 'db.lock'))).toBe(false);
  });
});
