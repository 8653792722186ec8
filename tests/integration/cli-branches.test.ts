/**
 * `jobbruecke branches list | add | rename` in process (parsed as bin/cli.ts parses them, with a fake terminal) on
 * PGlite and PostgreSQL: a fresh installation gets its branches without SQL, names with umlauts, duplicates and bad
 * input refused with nothing written, every change in the audit trail with the operator's login.
 */
import { asc, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchesCommand } from '../../bin/commands/branches.ts';
import { catchmentCommand } from '../../bin/commands/catchment.ts';
import { type Command, UsageError } from '../../bin/commands/command.ts';
import { operatorActor } from '../../bin/commands/operator.ts';
import { usersCommand } from '../../bin/commands/users.ts';
import { addBranch } from '../../src/branches/add-branch.ts';
import type { Database } from '../../src/db/client.ts';
import { auditLog, branches } from '../../src/db/schema.ts';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../../src/errors.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { runInProcess } from '../helpers/in-process-command.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const OPERATOR = 'pruefer-zweigstellen';

describe.each(testDatabases())('branches commands on $name', (factory) => {
  let database: Database;
  let ctx: ReturnType<typeof testContext>;

  async function run(command: Command, argv: string[]): Promise<{ code: number; out: string[] }> {
    const { code, lines } = await runInProcess(command, argv, { ctx, database, operator: OPERATOR });
    return { code, out: lines };
  }
  const branches_ = (argv: string[]) => run(branchesCommand, argv);
  const rows = () => database.db.select().from(branches).orderBy(asc(branches.id));
  const audited = () =>
    database.db.select().from(auditLog).where(like(auditLog.action, 'branch.%')).orderBy(asc(auditLog.id));

  /** A refused command line: the error it throws, and nothing written, neither a branch nor an audit row. */
  async function refused(argv: string[]): Promise<unknown> {
    const [before, trail] = [await rows(), (await audited()).length];
    const error = await branches_(argv).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error, argv.join(' ')).toBeDefined();
    expect(await rows(), argv.join(' ')).toEqual(before);
    expect((await audited()).length, argv.join(' ')).toBe(trail);
    return error;
  }

  /** The error of a refused command line, when it is a domain error of `type` with this message. */
  async function refusedWith(argv: string[], type: new (...args: never[]) => Error, message: string) {
    const error = await refused(argv);
    expect(error, argv.join(' ')).toBeInstanceOf(type);
    expect((error as Error).message, argv.join(' ')).toBe(message);
  }

  beforeAll(async () => {
    database = await openMigrated(factory);
    ctx = testContext(database.db, NOW);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('gives a fresh installation its first branch, after which staff can be added to it', async () => {
    expect(await branches_(['list'])).toEqual({
      code: 0,
      out: ['No branches yet: add one with "jobbruecke branches add --name <name> --plz <postcode>".'],
    });
    const addCaseworker = ['add', '--role', 'caseworker', '--email', 'fall@branches.test.invalid', '--branch', '1'];
    await expect(run(usersCommand, addCaseworker)).rejects.toThrow('Zweigstelle 1 gibt es nicht');

    expect(await branches_(['add', '--name', 'Zweigstelle Süd', '--plz', '70180'])).toEqual({
      code: 0,
      out: [
        'Branch 1 added: Zweigstelle Süd (office 70180)',
        'It serves no postcodes yet: jobbruecke catchment set --branch 1 --plz <postcodes>',
      ],
    });
    expect((await run(usersCommand, addCaseworker)).code).toBe(0);
    expect((await branches_(['list'])).out).toEqual([
      '  1  Zweigstelle Süd  (office 70180; serves 0 postcode(s); 1 active account(s))',
    ]);
    expect(await rows()).toMatchObject([{ id: 1, name: 'Zweigstelle Süd', plz: '70180', catchmentPlz: [] }]);
  });

  it('numbers a new branch one above the highest, or as given, and sets its catchment at once', async () => {
    const numbered = await branches_(['add', '--name', 'Zweigstelle Bad Cannstatt', '--plz', '70372', '--id', '10']);
    expect(numbered.out[0]).toBe('Branch 10 added: Zweigstelle Bad Cannstatt (office 70372)');
    expect((await run(catchmentCommand, ['set', '--branch', '10', '--plz', '70372,70374'])).code).toBe(0);
    // The new branch takes 70374 over from Bad Cannstatt and serves 70378 as well.
    const catchment = ['--catchment', '70378, 70374'];
    const next = await branches_(['add', '--name', '  Zweigstelle   Mühlhausen ', '--plz', '70378', ...catchment]);
    expect(next.out).toEqual([
      'Branch 11 added: Zweigstelle Mühlhausen (office 70378)',
      'It serves 2 postcode(s): 70374, 70378',
      '  70374 moved here from branch 10',
    ]);
    expect((await rows()).map((b) => [b.id, b.name, b.catchmentPlz])).toEqual([
      [1, 'Zweigstelle Süd', []],
      [10, 'Zweigstelle Bad Cannstatt', ['70372']],
      [11, 'Zweigstelle Mühlhausen', ['70374', '70378']],
    ]);
    const json = JSON.parse((await branches_(['list', '--json'])).out.join('\n'));
    expect(json).toEqual([
      { id: 1, name: 'Zweigstelle Süd', plz: '70180', catchment_count: 0, active_users: 1 },
      { id: 10, name: 'Zweigstelle Bad Cannstatt', plz: '70372', catchment_count: 1, active_users: 0 },
      { id: 11, name: 'Zweigstelle Mühlhausen', plz: '70378', catchment_count: 2, active_users: 0 },
    ]);
  });

  it('refuses a number or a name in use, whatever the case or the way an umlaut is typed', async () => {
    await refusedWith(
      ['add', '--name', 'Zweigstelle Nord', '--plz', '70191', '--id', '10'],
      Conflict,
      'Zweigstelle 10 gibt es schon: Zweigstelle Bad Cannstatt',
    );
    // "Süd" with a combining diaeresis, and in capitals: the same name to anyone reading it.
    for (const name of ['Zweigstelle Su\u0308d', 'ZWEIGSTELLE SÜD', 'zweigstelle süd']) {
      await refusedWith(
        ['add', '--name', name, '--plz', '70180'],
        Conflict,
        'Eine Zweigstelle „Zweigstelle Süd“ gibt es schon (Nummer 1)',
      );
    }
  });

  it('refuses bad input with every problem named, writing nothing, also when only the catchment is wrong', async () => {
    const issuesOf = async (argv: string[]) => {
      const error = await refused(argv);
      expect(error, argv.join(' ')).toBeInstanceOf(ValidationFailed);
      return (error as ValidationFailed).issues;
    };
    expect(await issuesOf(['add', '--name', '   ', '--plz', '7018'])).toEqual([
      { path: 'name', message: 'Name darf nicht leer sein' },
      { path: 'plz', message: 'Postleitzahl muss fünfstellig sein' },
    ]);
    expect(await issuesOf(['add', '--name', 'Zweigstelle\nNord', '--plz', '00000'])).toEqual([
      { path: 'name', message: 'Name darf keine Steuerzeichen enthalten (auch keinen Zeilenumbruch)' },
      { path: 'plz', message: 'Unbekannte Postleitzahl' },
    ]);
    expect(await issuesOf(['add', '--name', 'Z'.repeat(101), '--plz', '70191', '--id', '1000000'])).toEqual([
      { path: 'id', message: 'Zweigstellennummer muss zwischen 1 und 999999 liegen' },
      { path: 'name', message: 'Name darf höchstens 100 Zeichen lang sein' },
    ]);
    expect(await issuesOf(['add', '--name', 'Zweigstelle Nord', '--plz', '70191', '--id', '0'])).toEqual([
      { path: 'id', message: 'Zweigstellennummer muss zwischen 1 und 999999 liegen' },
    ]);
    // The branch and its catchment are one change: an unknown postcode in the list leaves no branch behind.
    expect(
      await issuesOf(['add', '--name', 'Zweigstelle Nord', '--plz', '70191', '--catchment', '70191,99999']),
    ).toEqual([{ path: 'catchment_plz.1', message: 'Unbekannte Postleitzahl' }]);

    for (const argv of [
      ['add', '--name', 'Zweigstelle Nord'],
      ['add', '--plz', '70191'],
      ['add', '--name', 'Zweigstelle Nord', '--plz', '70191', '--id', 'drei'],
      ['add', '--name', 'Zweigstelle Nord', '--plz', '70191', '--id=-3'],
      ['add', '--name', 'Zweigstelle Nord', '--plz', '70191', '--json'],
      ['add', 'Zweigstelle Nord', '--plz', '70191'],
      ['list', '--name', 'Zweigstelle Süd'],
      ['list', '1'],
      ['rename', '--name', 'Zweigstelle Mitte'],
      ['rename', '1'],
      ['rename', 'eins', '--name', 'Zweigstelle Mitte'],
      ['rename', '1', '2', '--name', 'Zweigstelle Mitte'],
      ['rename', '1', '--name', 'Zweigstelle Mitte', '--plz', '70173'],
      ['constructor'],
      [],
    ]) {
      expect(await refused(argv), argv.join(' ')).toBeInstanceOf(UsageError);
    }
  });

  it('renames a branch, refusing a name in use and an unknown number; an unchanged name writes nothing', async () => {
    expect(await branches_(['rename', '1', '--name', 'Zweigstelle Süd-Degerloch'])).toEqual({
      code: 0,
      out: ['Branch 1 renamed: Zweigstelle Süd → Zweigstelle Süd-Degerloch'],
    });
    // Its own name in another case is a correction, not a clash.
    expect((await branches_(['rename', '1', '--name', 'Zweigstelle SÜD-Degerloch'])).out).toEqual([
      'Branch 1 renamed: Zweigstelle Süd-Degerloch → Zweigstelle SÜD-Degerloch',
    ]);
    const trail = (await audited()).length;
    expect((await branches_(['rename', '1', '--name', 'Zweigstelle SÜD-Degerloch'])).out).toEqual([
      'Branch 1 is called Zweigstelle SÜD-Degerloch already.',
    ]);
    expect((await audited()).length).toBe(trail);
    await refusedWith(
      ['rename', '11', '--name', 'zweigstelle bad cannstatt'],
      Conflict,
      'Eine Zweigstelle „Zweigstelle Bad Cannstatt“ gibt es schon (Nummer 10)',
    );
    await refusedWith(['rename', '12', '--name', 'Zweigstelle Nord'], NotFound, 'Zweigstelle 12 nicht gefunden');
    expect(await refused(['rename', '1', '--name', ''])).toBeInstanceOf(ValidationFailed);
    // Only the name changed: office, catchment and accounts stay.
    expect((await rows()).find((b) => b.id === 1)).toMatchObject({ plz: '70180', catchmentPlz: [] });
    expect((await branches_(['list'])).out[0]).toBe(
      '  1  Zweigstelle SÜD-Degerloch  (office 70180; serves 0 postcode(s); 1 active account(s))',
    );
  });

  it('records every change with the operator’s login, and the catchment set with a new branch', async () => {
    const trail = await audited();
    expect(trail.map((r) => [r.action, r.objectId, r.detail])).toEqual([
      ['branch.add', '1', { name: 'Zweigstelle Süd', plz: '70180', actor: 'cli', osUser: OPERATOR }],
      ['branch.add', '10', { name: 'Zweigstelle Bad Cannstatt', plz: '70372', actor: 'cli', osUser: OPERATOR }],
      ['branch.add', '11', { name: 'Zweigstelle Mühlhausen', plz: '70378', actor: 'cli', osUser: OPERATOR }],
      [
        'branch.rename',
        '1',
        { from: 'Zweigstelle Süd', to: 'Zweigstelle Süd-Degerloch', actor: 'cli', osUser: OPERATOR },
      ],
      [
        'branch.rename',
        '1',
        { from: 'Zweigstelle Süd-Degerloch', to: 'Zweigstelle SÜD-Degerloch', actor: 'cli', osUser: OPERATOR },
      ],
    ]);
    expect(trail.every((r) => r.actorUserId === null && r.actorRole === 'admin' && r.objectType === 'branch')).toBe(
      true,
    );
    const catchments = await database.db.select().from(auditLog).where(eq(auditLog.action, 'catchment.set'));
    expect(catchments.find((r) => r.objectId === '11')).toMatchObject({
      objectId: '11',
      detail: { count: 2, moved: 1, osUser: OPERATOR },
    });
  });

  it('lets only admins add branches', async () => {
    const lead = { ...operatorActor(OPERATOR), role: 'branch_lead' as const, branchId: 1 };
    await expect(
      addBranch({ ctx, actor: lead, input: { name: 'Zweigstelle Nord', plz: '70191' } }),
    ).rejects.toBeInstanceOf(Forbidden);
  });

  it('gives branches added at the same moment different numbers', async () => {
    const actor = operatorActor(OPERATOR);
    const added = await Promise.all(
      ['Nord', 'Ost', 'West', 'Feuerbach'].map((district) =>
        addBranch({ ctx, actor, input: { name: `Zweigstelle ${district}`, plz: '70191' } }),
      ),
    );
    expect(added.map((b) => b.id).sort((a, b) => a - b)).toEqual([12, 13, 14, 15]);
    // And two adds of one name: one wins, the other is told.
    const twins = await Promise.allSettled(
      [1, 2].map(() => addBranch({ ctx, actor, input: { name: 'Zweigstelle Vaihingen', plz: '70563' } })),
    );
    expect(twins.map((t) => t.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await rows()).filter((b) => b.name === 'Zweigstelle Vaihingen')).toHaveLength(1);
  });
});
