import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../bin/jobbruecke.js');
const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('jobbruecke CLI', () => {
  it('PORT=abc: one clear message and exit code 2, no stack trace', () => {
    const r = cli(['migrate'], { PORT: 'abc' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Invalid configuration');
    expect(r.stderr).toMatch(/PORT: .*\(got "abc"\)/);
    expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('DATABASE_URL=nonsense: exit code 2 with the problem named', () => {
    const r = cli(['start'], { DATABASE_URL: 'nonsense' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL: must be a PostgreSQL URL/);
  });

  it('lists every problem together', () => {
    const r = cli(['migrate'], { PORT: 'abc', DATABASE_URL: 'nonsense' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).toMatch(/DATABASE_URL/);
  });

  it('has --help on every verb and rejects unknown verbs and options with exit 2', () => {
    for (const verb of ['start', 'migrate', 'seed', 'users', 'reindex', 'sources', 'crawl', 'match']) {
      const r = cli([verb, '--help']);
      expect(r.code, verb).toBe(0);
      expect(r.stdout, verb).toMatch(/^Usage: jobbruecke /);
    }
    expect(cli(['frobnicate']).code).toBe(2);
    expect(cli(['migrate', '--bogus']).code).toBe(2);
  });

  it('users add prints a one-time token; a duplicate e-mail is refused', () => {
    expect(cli(['migrate']).code).toBe(0);
    const r = cli(['users', 'add', '--role', 'admin', '--email', 'cli-admin@test.invalid']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Authorization: Bearer jb_[A-Za-z0-9_-]{20,}/);
    const again = cli(['users', 'add', '--role', 'admin', '--email', 'cli-admin@test.invalid']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/existiert bereits/);
    const noBranch = cli(['users', 'add', '--role', 'caseworker', '--email', 'cw@test.invalid']);
    expect(noBranch.code).toBe(1);
    expect(noBranch.stderr).toMatch(/branch/);
    expect(cli(['users', 'add', '--role', 'wizard', '--email', 'x@test.invalid']).code).toBe(2);
  });
});
