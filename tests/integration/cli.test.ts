import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliRunBudget, cliTestTimeout, measureCliStart, runCli } from '../helpers/cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const START_MS = measureCliStart();

function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(args, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env }, cliRunBudget(START_MS));
}

describe('jobbruecke CLI', () => {
  it('PORT=abc: one clear message and exit code 2, no stack trace', {
    timeout: cliTestTimeout(START_MS, 1),
  }, async () => {
    const r = await cli(['migrate'], { PORT: 'abc' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Invalid configuration');
    expect(r.stderr).toMatch(/PORT: .*\(got "abc"\)/);
    expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('DATABASE_URL=nonsense: exit code 2 with the problem named', {
    timeout: cliTestTimeout(START_MS, 1),
  }, async () => {
    const r = await cli(['start'], { DATABASE_URL: 'nonsense' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL: must be a PostgreSQL URL/);
  });

  it('lists every problem together', { timeout: cliTestTimeout(START_MS, 1) }, async () => {
    const r = await cli(['migrate'], { PORT: 'abc', DATABASE_URL: 'nonsense' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).toMatch(/DATABASE_URL/);
  });

  const verbs = [
    'start',
    'migrate',
    'seed',
    'users',
    'reindex',
    'sources',
    'crawl',
    'match',
    'catchment',
    'employers',
    'taxonomy',
    'branches',
    'backup',
    'restore',
  ];
  it('has --help on every verb and rejects unknown verbs and options with exit 2', {
    timeout: cliTestTimeout(START_MS, verbs.length + 2),
  }, async () => {
    for (const verb of verbs) {
      const r = await cli([verb, '--help']);
      expect(r.code, verb).toBe(0);
      expect(r.stdout, verb).toMatch(/^Usage: jobbruecke /);
    }
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['migrate', '--bogus'])).code).toBe(2);
  });

  it('users add prints a one-time token; a duplicate e-mail is refused', {
    timeout: cliTestTimeout(START_MS, 5),
  }, async () => {
    expect((await cli(['migrate'])).code).toBe(0);
    const r = await cli(['users', 'add', '--role', 'admin', '--email', 'cli-admin@test.invalid']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Authorization: Bearer jb_[A-Za-z0-9_-]{20,}/);
    const again = await cli(['users', 'add', '--role', 'admin', '--email', 'cli-admin@test.invalid']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/existiert bereits/);
    const noBranch = await cli(['users', 'add', '--role', 'caseworker', '--email', 'cw@test.invalid']);
    expect(noBranch.code).toBe(1);
    expect(noBranch.stderr).toMatch(/branch/);
    expect((await cli(['users', 'add', '--role', 'wizard', '--email', 'x@test.invalid'])).code).toBe(2);
  });
});
