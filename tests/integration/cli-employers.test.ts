/**
 * The employer-service commands: `users invite-employer`, `users employer-service`, `catchment list|set` and
 * `employers contact`. Run in process on PGlite (parsed like bin/cli.ts parses them, with a fake terminal), so each
 * case is quick; one run of the real CLI checks that the commands are registered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchmentCommand } from '../../bin/commands/catchment.ts';
import { type Command, UsageError } from '../../bin/commands/command.ts';
import { employersCommand } from '../../bin/commands/employers.ts';
import { usersCommand } from '../../bin/commands/users.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { auditLog, branches, employers, users } from '../../src/db/schema.ts';
import { ValidationFailed } from '../../src/errors.ts';
import { authenticateToken } from '../../src/users/authenticate.ts';
import { cliRunBudget, cliTestTimeout, measureCliStart, runCli } from '../helpers/cli.ts';
import { testContext } from '../helpers/context.ts';
import { runInProcess } from '../helpers/in-process-command.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const OPERATOR = 'pruefer-test';

let database: Database;
let ctx: ReturnType<typeof testContext>;

/** Runs one command line in process; returns the exit code and what it printed. */
async function run(command: Command, argv: string[]): Promise<{ code: number; out: string[] }> {
  const { code, lines } = await runInProcess(command, argv, { ctx, database, operator: OPERATOR });
  return { code, out: lines };
}

const tokenOf = (out: string[]) => /API token \(shown once\): (\S+)/.exec(out.join('\n'))?.[1];

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  ctx = testContext(database.db, NOW);
  await database.db.insert(branches).values([
    { id: 1, name: 'Zweigstelle Eins (Test)', plz: '70173', catchmentPlz: ['70173', '70174'] },
    { id: 2, name: 'Zweigstelle Zwei (Test)', plz: '70372', catchmentPlz: ['70372'] },
  ]);
});
afterAll(async () => database?.close());

describe('catchment', () => {
  it('lists every branch with its postcodes', async () => {
    const { code, out } = await run(catchmentCommand, ['list']);
    expect(code).toBe(0);
    expect(out).toEqual(['  1  Zweigstelle Eins (Test): 70173, 70174', '  2  Zweigstelle Zwei (Test): 70372']);
  });

  it('sets a branch’s list, moving postcodes from other branches, and audits it with the operator’s login', async () => {
    const { code, out } = await run(catchmentCommand, ['set', '--branch', '2', '--plz', '70372, 70174']);
    expect(code).toBe(0);
    expect(out).toEqual(['Branch 2 serves 2 postcode(s): 70174, 70372', '  70174 moved here from branch 1']);
    expect((await run(catchmentCommand, ['list'])).out[0]).toBe('  1  Zweigstelle Eins (Test): 70173');
    const [row] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'catchment.set'));
    expect(row).toMatchObject({
      actorUserId: null,
      actorRole: 'admin',
      objectId: '2',
      detail: { actor: 'cli', osUser: OPERATOR, moved: 1 },
    });
  });

  it('refuses unknown postcodes and branches, and bad usage', async () => {
    await expect(run(catchmentCommand, ['set', '--branch', '1', '--plz', '00000'])).rejects.toBeInstanceOf(
      ValidationFailed,
    );
    await expect(run(catchmentCommand, ['set', '--branch', '99', '--plz', '70173'])).rejects.toThrow(
      'Zweigstelle 99 nicht gefunden',
    );
    await expect(run(catchmentCommand, ['set', '--branch', 'eins', '--plz', '70173'])).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(run(catchmentCommand, ['set', '--plz', '70173'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(catchmentCommand, ['frobnicate'])).rejects.toBeInstanceOf(UsageError);
  });
});

describe('users invite-employer, users employer-service, employers contact', () => {
  let employerId: string;
  let caseworkerId: string;

  it('invites an employer user for a new employer and prints a token that works once stored', async () => {
    const { code, out } = await run(usersCommand, [
      'invite-employer',
      '--employer-name',
      'Kantine Beispiel GmbH (Test)',
      '--plz',
      '70173',
      '--email',
      'personal@kantine.test.invalid',
      '--name',
      'Personalabteilung (Test)',
    ]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^Employer user invited: personal@kantine\.test\.invalid \(employer \S+, branch 1\)$/);
    const actor = await authenticateToken(ctx, tokenOf(out)!);
    expect(actor).toMatchObject({ role: 'employer', employerId: expect.any(String) });
    employerId = actor!.employerId!;

    // A second user for the same, now known employer.
    const second = await run(usersCommand, [
      'invite-employer',
      '--employer',
      employerId,
      '--email',
      'chefin@kantine.test.invalid',
    ]);
    expect(second.code).toBe(0);
    expect((await authenticateToken(ctx, tokenOf(second.out)!))?.employerId).toBe(employerId);
    const invites = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'employer_user.invite'), eq(auditLog.actorRole, 'admin')));
    expect(invites).toHaveLength(2);
    expect(invites[0]?.detail).toMatchObject({ osUser: OPERATOR, employerId });
  });

  it('refuses an invitation that names both or neither employer, or options of another subcommand', async () => {
    for (const argv of [
      ['invite-employer', '--email', 'x@test.invalid'],
      ['invite-employer', '--employer', employerId, '--plz', '70173', '--email', 'x@test.invalid'],
      ['invite-employer', '--employer', employerId],
      ['add', '--role', 'admin', '--email', 'x@test.invalid', '--plz', '70173'],
      ['add', '--role', 'employer', '--email', 'x@test.invalid'],
      ['employer-service', '--user', employerId],
      ['employer-service', '--user', employerId, '--on', '--off'],
    ]) {
      await expect(run(usersCommand, argv), argv.join(' ')).rejects.toBeInstanceOf(UsageError);
    }
  });

  it('marks a caseworker as employer service and names them the employer’s contact', async () => {
    const added = await run(usersCommand, [
      'add',
      '--role',
      'caseworker',
      '--branch',
      '1',
      '--email',
      'ag-service@test.invalid',
    ]);
    expect(added.code).toBe(0);
    const [caseworker] = await database.db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, 'ag-service@test.invalid'));
    caseworkerId = caseworker!.id;
    // Not yet employer service: refused as contact.
    await expect(
      run(employersCommand, ['contact', '--employer', employerId, '--caseworker', caseworkerId]),
    ).rejects.toBeInstanceOf(ValidationFailed);

    const on = await run(usersCommand, ['employer-service', '--user', caseworkerId, '--on']);
    expect(on.out).toEqual([`User ${caseworkerId}: employer service on`]);
    const contact = await run(employersCommand, ['contact', '--employer', employerId, '--caseworker', caseworkerId]);
    expect(contact.out).toEqual([`Employer ${employerId}: contact is caseworker ${caseworkerId}`]);
    const [employer] = await database.db.select().from(employers).where(eq(employers.id, employerId));
    expect(employer?.contactCaseworkerId).toBe(caseworkerId);

    const none = await run(employersCommand, ['contact', '--employer', employerId, '--caseworker', 'none']);
    expect(none.out).toEqual([`Employer ${employerId}: no named contact; orders go round robin`]);
    const off = await run(usersCommand, ['employer-service', '--user', caseworkerId, '--off']);
    expect(off.out).toEqual([`User ${caseworkerId}: employer service off`]);
    const rows = await database.db.select().from(auditLog).where(eq(auditLog.objectId, employerId));
    expect(rows.filter((r) => r.action === 'employer.set_contact').map((r) => r.detail)).toEqual([
      { caseworkerId, actor: 'cli', osUser: OPERATOR },
      { caseworkerId: null, actor: 'cli', osUser: OPERATOR },
    ]);
  });

  it('refuses to mark anyone but a caseworker, and unknown ids', async () => {
    await expect(
      run(usersCommand, ['employer-service', '--user', '00000000-0000-4000-8000-000000000009', '--on']),
    ).rejects.toThrow('nicht gefunden');
    const [employerUser] = await database.db.select({ id: users.id }).from(users).where(eq(users.role, 'employer'));
    await expect(run(usersCommand, ['employer-service', '--user', employerUser!.id, '--on'])).rejects.toBeInstanceOf(
      ValidationFailed,
    );
    await expect(run(employersCommand, ['contact', '--employer', employerId])).rejects.toBeInstanceOf(UsageError);
    await expect(
      run(employersCommand, ['contact', '--employer', 'kein-arbeitgeber', '--caseworker', 'none']),
    ).rejects.toBeInstanceOf(ValidationFailed);
  });
});

describe('the real CLI', () => {
  const START_MS = measureCliStart();
  const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-cli-employers-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const cli = (args: string[]) =>
    runCli(args, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', DEMO_DATA: 'off' }, cliRunBudget(START_MS));

  it('has the commands, with help, and answers in German when a branch is missing', {
    timeout: cliTestTimeout(START_MS, 3),
  }, async () => {
    for (const verb of ['catchment', 'employers']) {
      const help = await cli([verb, '--help']);
      expect(help.code, verb).toBe(0);
      expect(help.stdout, verb).toMatch(/^Usage: jobbruecke /);
    }
    const set = await cli(['catchment', 'set', '--branch', '1', '--plz', '70173']);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain('Zweigstelle 1 nicht gefunden');
  });
});
