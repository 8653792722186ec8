/**
 * `jobbruecke users list | disable | enable | revoke-token`: in process (parsed as bin/cli.ts parses them, with a
 * fake terminal) on PGlite and PostgreSQL, and a few runs of the real CLI for registration, exit codes and the
 * one-line errors an operator sees.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Command, UsageError } from '../../bin/commands/command.ts';
import { usersCommand } from '../../bin/commands/users.ts';
import type { Database } from '../../src/db/client.ts';
import { apiTokens, auditLog, branches, users } from '../../src/db/schema.ts';
import { NotFound } from '../../src/errors.ts';
import { authenticateToken } from '../../src/users/authenticate.ts';
import { hashToken } from '../../src/users/tokens.ts';
import { cliRunBudget, cliTestTimeout, measureCliStart, runCli } from '../helpers/cli.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { runInProcess } from '../helpers/in-process-command.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const OPERATOR = 'pruefer-cli';
const ADMIN = 'chefin@cli-users.test.invalid';
const CASEWORKER = 'sachbearbeitung@cli-users.test.invalid';
const LEAD = 'leitung@cli-users.test.invalid';

const tokenOf = (out: string[]) => /API token \(shown once\): (\S+)/.exec(out.join('\n'))?.[1] ?? '';

describe.each(testDatabases())('users commands on $name', (factory) => {
  let database: Database;
  let ctx: ReturnType<typeof testContext>;
  const tokens: Record<string, string> = {};

  async function run(command: Command, argv: string[]): Promise<{ code: number; out: string[] }> {
    const { code, lines } = await runInProcess(command, argv, { ctx, database, operator: OPERATOR });
    return { code, out: lines };
  }
  const users_ = (argv: string[]) => run(usersCommand, argv);

  beforeAll(async () => {
    database = await openMigrated(factory);
    ctx = testContext(database.db, NOW);
    await database.db.insert(branches).values([
      { id: 1, name: 'Zweigstelle Eins (Test)', plz: '70173' },
      { id: 2, name: 'Zweigstelle Zwei (Test)', plz: '70372' },
    ]);
    for (const [email, role, branch] of [
      [ADMIN, 'admin', null],
      [CASEWORKER, 'caseworker', '1'],
      [LEAD, 'branch_lead', '2'],
    ] as const) {
      const added = await users_(['add', '--role', role, '--email', email, ...(branch ? ['--branch', branch] : [])]);
      expect(added.code).toBe(0);
      tokens[email] = tokenOf(added.out);
    }
    const [caseworker] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, CASEWORKER));
    await database.db.insert(apiTokens).values({
      userId: caseworker!.id,
      label: 'fachverfahren',
      tokenHash: hashToken('jb_zweites-token-nur-fuer-tests'),
    });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('lists every account with its tokens by label, creation and last use, and never a token', async () => {
    ctx.setNow(new Date('2026-11-20T10:00:00Z'));
    await authenticateToken(ctx, tokens[LEAD]!);
    const { code, out } = await users_(['list']);
    expect(code).toBe(0);
    const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const token = (label: string, lastUse: string) =>
      new RegExp(
        `^    token "${label}" \\([0-9a-f-]{36}\\): created \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC, last used ${esc(lastUse)}$`,
      );
    const account = (line: string) => new RegExp(`^${esc(line)}$`);
    // By e-mail address: chefin, leitung, sachbearbeitung.
    const expected = [
      account(`${ADMIN}  admin  active`),
      token('cli', 'never'),
      account(`${LEAD}  branch_lead, branch 2  active`),
      token('cli', '2026-11-20 10:00 UTC'),
      account(`${CASEWORKER}  caseworker, branch 1  active`),
      token('cli', 'never'),
      token('fachverfahren', 'never'),
    ];
    expect(out).toHaveLength(expected.length);
    expected.forEach((pattern, i) => {
      expect(out[i]).toMatch(pattern);
    });
    const text = out.join('\n');
    for (const token of Object.values(tokens)) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(hashToken(token));
    }
  });

  it('lists as JSON, and by role or branch', async () => {
    const json = JSON.parse((await users_(['list', '--json'])).out.join('\n'));
    expect(json.map((u: { email: string }) => u.email)).toEqual([ADMIN, LEAD, CASEWORKER]);
    expect(json[2]).toMatchObject({
      role: 'caseworker',
      branch_id: 1,
      employer: null,
      state: 'active',
      disabled_at: null,
      tokens: [
        { label: 'cli', state: 'active', last_used_at: null, revoked_at: null },
        { label: 'fachverfahren', state: 'active' },
      ],
    });
    expect(JSON.stringify(json)).not.toMatch(/hash|jb_/);
    const leads = JSON.parse((await users_(['list', '--role', 'branch_lead', '--json'])).out.join('\n'));
    expect(leads.map((u: { email: string }) => u.email)).toEqual([LEAD]);
    const branch1 = await users_(['list', '--branch', '1']);
    expect(branch1.out[0]).toBe(`${CASEWORKER}  caseworker, branch 1  active`);
    expect((await users_(['list', '--branch', '9'])).out).toEqual(['No users match.']);
    const listed = await database.db.select().from(auditLog).where(eq(auditLog.action, 'users.list'));
    expect(listed.length).toBeGreaterThanOrEqual(4);
    expect(listed[0]).toMatchObject({ actorUserId: null, detail: { actor: 'cli', osUser: OPERATOR } });
  });

  it('disables and enables an account, its tokens refused in between, audited with the operator’s login', async () => {
    const disabled = await users_(['disable', CASEWORKER]);
    expect(disabled).toEqual({
      code: 0,
      out: [`User ${CASEWORKER} disabled: tokens refused from now on, 0 page session(s) ended.`],
    });
    expect(await authenticateToken(ctx, tokens[CASEWORKER]!)).toBeNull();
    expect(await authenticateToken(ctx, 'jb_zweites-token-nur-fuer-tests')).toBeNull();
    expect(await authenticateToken(ctx, tokens[LEAD]!)).not.toBeNull();
    expect((await users_(['list', '--branch', '1'])).out[0]).toBe(
      `${CASEWORKER}  caseworker, branch 1  disabled since 2026-11-20 10:00 UTC`,
    );
    expect((await users_(['disable', CASEWORKER])).out).toEqual([`User ${CASEWORKER} was disabled already.`]);

    expect((await users_(['enable', CASEWORKER])).out).toEqual([
      `User ${CASEWORKER} enabled: tokens not revoked work again.`,
    ]);
    expect(await authenticateToken(ctx, tokens[CASEWORKER]!)).not.toBeNull();
    expect((await users_(['enable', CASEWORKER])).out).toEqual([`User ${CASEWORKER} was active already.`]);
    const rows = await database.db.select().from(auditLog).where(eq(auditLog.objectType, 'user'));
    expect(rows.filter((r) => r.action !== 'users.list').map((r) => [r.action, r.detail.osUser])).toEqual([
      ['user.disable', OPERATOR],
      ['user.enable', OPERATOR],
    ]);
  });

  it('revokes one token by label or id; the account’s other tokens keep working', async () => {
    const { code, out } = await users_(['revoke-token', CASEWORKER, '--label', 'fachverfahren']);
    expect(code).toBe(0);
    expect(out[0]).toMatch(
      new RegExp(`^Token "fachverfahren" \\([0-9a-f-]{36}\\) of ${CASEWORKER} revoked; other tokens keep working\\.$`),
    );
    expect(await authenticateToken(ctx, 'jb_zweites-token-nur-fuer-tests')).toBeNull();
    expect(await authenticateToken(ctx, tokens[CASEWORKER]!)).not.toBeNull();
    const json = JSON.parse((await users_(['list', '--role', 'branch_lead', '--json'])).out.join('\n'));
    const leadToken = json[0].tokens[0].id;
    expect((await users_(['revoke-token', LEAD, '--token-id', leadToken])).code).toBe(0);
    expect(await authenticateToken(ctx, tokens[LEAD]!)).toBeNull();
    const after = JSON.parse((await users_(['list', '--role', 'branch_lead', '--json'])).out.join('\n'));
    expect(after[0].tokens[0]).toMatchObject({ id: leadToken, state: 'revoked', revoked_at: expect.any(String) });
    const [row] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'token.revoke'));
    expect(row?.detail).toMatchObject({ label: 'fachverfahren', osUser: OPERATOR });
  });

  it('names unknown accounts and labels, and refuses bad usage', async () => {
    await expect(users_(['disable', 'niemand@test.invalid'])).rejects.toThrow(
      new NotFound('Benutzer', 'niemand@test.invalid'),
    );
    await expect(users_(['revoke-token', ADMIN, '--label', 'gibt-es-nicht'])).rejects.toThrow(
      `Token „gibt-es-nicht“ von ${ADMIN} nicht gefunden`,
    );
    for (const argv of [
      ['disable'],
      ['disable', ADMIN, LEAD],
      ['enable', ADMIN, '--json'],
      ['revoke-token', ADMIN],
      ['revoke-token', ADMIN, '--label', 'cli', '--token-id', 'x'],
      ['list', ADMIN],
      ['list', '--role', 'chef'],
      ['list', '--branch', 'eins'],
      ['list', '--label', 'cli'],
      ['frobnicate'],
    ]) {
      await expect(users_(argv), argv.join(' ')).rejects.toBeInstanceOf(UsageError);
    }
    // Nothing was changed by the refused commands.
    expect(await authenticateToken(ctx, tokens[ADMIN]!)).not.toBeNull();
  });
});

describe('the real CLI', () => {
  const START_MS = measureCliStart();
  const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-cli-users-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const cli = (args: string[]) =>
    runCli(args, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', DEMO_DATA: 'off' }, cliRunBudget(START_MS));

  it('fails with one German line and exit code 1 for an unknown account or label', {
    timeout: cliTestTimeout(START_MS, 3),
  }, async () => {
    const added = await cli(['users', 'add', '--role', 'admin', '--email', ADMIN]);
    expect(added.code, added.stderr).toBe(0);
    const label = await cli(['users', 'revoke-token', ADMIN, '--label', 'gibt-es-nicht']);
    expect(label).toMatchObject({ code: 1, stdout: '' });
    expect(label.stderr).toBe(`Error: Token „gibt-es-nicht“ von ${ADMIN} nicht gefunden\n`);
    const unknown = await cli(['users', 'disable', 'niemand@test.invalid']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toBe('Error: Benutzer niemand@test.invalid nicht gefunden\n');
  });
});
