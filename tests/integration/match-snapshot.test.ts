/**
 * Starting the matcher from its vacancy snapshot (matchers/service/match-start.ts) against a real database: the first
 * start builds from the DB and leaves a snapshot, the next loads it and catches up with the outbox, and ranks exactly
 * as a fresh build would, also after changes made while no process ran. A damaged or foreign snapshot, or one the
 * database contradicts, is rebuilt from the DB instead of being served.
 */
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_PROPOSALS } from '../../matchers/engine/proposals.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { MATCH_SNAPSHOT_FILE, openMatchService } from '../../matchers/service/match-start.ts';
import { withTransaction } from '../../src/context.ts';
import { CUSTOMERS_DELETED_SIGNAL } from '../../src/customers/retention.ts';
import type { Database } from '../../src/db/client.ts';
import { branches, customers, outbox, vacancies } from '../../src/db/schema.ts';
import { generateCustomers } from '../../src/demo/synthetic-customers.ts';
import { resetInstallationId } from '../../src/installation.ts';
import { appendOutbox, vacancyChanged } from '../../src/outbox/append.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const VACANCIES = 800;

describe.each(testDatabases())('matcher snapshot on $name', (factory) => {
  let database: Database;
  let dir: string;
  let vacancyIds: string[];
  let customerIds: string[];
  const ctx = testContext(undefined as never, NOW);

  beforeAll(async () => {
    database = await openMigrated(factory);
    ctx.db = database.db;
    vacancyIds = await insertSyntheticVacancies(database.db, VACANCIES, NOW);
    const codes = await database.db.selectDistinct({ code: vacancies.kldbCode }).from(vacancies);
    await database.db.insert(branches).values([
      { id: 1, name: 'Zweigstelle Mitte', plz: '70173' },
      { id: 2, name: 'Zweigstelle Nord', plz: '70191' },
    ]);
    // Market-profile customers (the first of the list) and some of every other group, in two branches.
    const generated = generateCustomers(
      codes.map((c) => [c.code as string, 1]),
      (plz) => (Number(plz) % 2) + 1,
      NOW,
      77,
    ).filter((_, i) => i < 300 || i % 100 === 0);
    await database.db
      .insert(customers)
      .values(generated.map(({ protected: _protected, ...c }) => ({ ...c, updatedAt: NOW })));
    customerIds = generated.map((c) => c.id);
    dir = await mkdtemp(join(tmpdir(), 'match-start-'));
  });
  afterAll(async () => {
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A process start on the data directory; `said` lists what it logged. */
  const start = async (on = ctx) => {
    const lines: Array<{ msg: string; reason?: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const matcher = await openMatchService(on, { dataDir: dir, log });
    const said = () => lines.map((l) => (l.reason ? `${l.msg}: ${l.reason}` : l.msg));
    return { ...matcher, said };
  };
  const LOADED = 'matcher indexes loaded: vacancies from their snapshot, customers from the database';
  const rebuilt = (reason: string) => `matcher snapshot not used; building the indexes from the database: ${reason}`;

  /** Everything a reader could tell apart: the records held, and the ranked lists both ways. */
  const fingerprint = (service: MatchService) => {
    const byId = <T extends { id: string }>(items: Iterable<T | undefined>) =>
      [...items].filter((x): x is T => x !== undefined).sort((a, b) => a.id.localeCompare(b.id));
    const state = service.vacancyState();
    const show = (results: Array<{ customerId: string; vacancyId: string; score: number }>) =>
      results.map((r) => `${r.customerId}/${r.vacancyId}:${r.score}`);
    const profiles = byId(service.customers.slots.items);
    const vacancyList = byId(state.vacancies);
    return {
      vacancies: vacancyList,
      unmatchable: [...state.unmatchable].sort(),
      customers: profiles,
      openVacancies: service.openVacancies,
      forCustomers: profiles.map((p) =>
        show(service.rankVacancies(p, { limit: 20, now: NOW, proposals: NO_PROPOSALS }).results),
      ),
      forVacancies: vacancyList.slice(0, 150).flatMap((v) =>
        [null, 1, 2].map((branchId) =>
          show(
            service.rankCustomers(v, {
              limit: 20,
              includeActivation: true,
              now: NOW,
              branchId,
              proposals: NO_PROPOSALS,
            }).results,
          ),
        ),
      ),
    };
  };
  const fresh = async () => fingerprint(await MatchService.load(ctx));

  it('builds from the database at the first start and leaves a snapshot that the next start loads, ranking the same', async () => {
    // What a write cut short by a kill leaves behind is cleared away at the next start; a write that may still be
    // going on in another process is left alone.
    const leftover = join(dir, `${MATCH_SNAPSHOT_FILE}.0a1b2c3d4e5f.tmp`);
    const ongoing = join(dir, `${MATCH_SNAPSHOT_FILE}.f5e4d3c2b1a0.tmp`);
    await writeFile(leftover, 'half a snapshot');
    await writeFile(ongoing, 'a snapshot being written');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(leftover, anHourAgo, anHourAgo);
    const first = await start();
    expect(first.said()).toContain(rebuilt('no snapshot'));
    await expect(readFile(leftover)).rejects.toThrow();
    expect(await readFile(ongoing, 'utf8')).toBe('a snapshot being written');
    await rm(ongoing);
    const built = fingerprint(first.service);
    expect(built.forCustomers.flat().length).toBeGreaterThan(500);
    expect(built.forVacancies.flat().length).toBeGreaterThan(500);
    await first.close();
    expect(first.said()).toContain('matcher snapshot written');

    const second = await start();
    expect(second.said()).toContain(LOADED);
    expect(second.said().some((m) => m.includes('building'))).toBe(false);
    expect(fingerprint(second.service)).toEqual(built);
    // Nothing changed, so nothing is written at shutdown.
    await second.close();
    expect(second.said()).not.toContain('matcher snapshot written');
  });

  it('catches up with changes made while no process ran, ranking as a fresh build does', async () => {
    const [closed, moved, uncoded, recoded] = vacancyIds as [string, string, string, string];
    const [changedCustomer, restricted, deleted] = customerIds as [string, string, string];
    const changeVacancy = (id: string, set: Partial<typeof vacancies.$inferInsert>) =>
      withTransaction(ctx, async (tx) => {
        await tx.db.update(vacancies).set(set).where(eq(vacancies.id, id));
        await appendOutbox(tx, vacancyChanged(id));
      });
    const changeCustomer = (id: string, set: Partial<typeof customers.$inferInsert>) =>
      withTransaction(ctx, async (tx) => {
        await tx.db.update(customers).set(set).where(eq(customers.id, id));
        await appendOutbox(tx, [{ topic: 'match', aggregateType: 'customer', aggregateId: id }]);
      });
    const before = await start();
    expect(before.said()).toContain(LOADED);
    const heldBefore = before.service.openVacancies;
    // `before` is dropped without close(): a crash. Its snapshot is older than these changes.
    await changeVacancy(closed, { status: 'closed' });
    await changeVacancy(moved, { lat: 53.55, lon: 9.99, plz: '20095', kldbCode: '29302', requirementLevel: 2 });
    await changeVacancy(uncoded, { kldbNeedsReview: true });
    await changeVacancy(recoded, { kldbCode: '51312', requirementLevel: 2 });
    const [added] = await insertSyntheticVacancies(database.db, 1, NOW, 99);
    await withTransaction(ctx, (tx) => appendOutbox(tx, vacancyChanged(added as string)));
    await changeCustomer(changedCustomer, { targetKldbCodes: ['51312'], maxCommuteKm: 500 });
    await changeCustomer(restricted, { restrictedAt: NOW, restrictedReason: 'objection' });
    await withTransaction(ctx, async (tx) => {
      await tx.db.delete(customers).where(eq(customers.id, deleted));
      await appendOutbox(tx, [{ topic: 'match', aggregateType: 'customer', aggregateId: CUSTOMERS_DELETED_SIGNAL }]);
    });

    const after = await start();
    expect(after.said()).toContain(LOADED);
    const held = fingerprint(after.service);
    expect(held).toEqual(await fresh());
    expect(held.openVacancies).toBe(heldBefore);
    expect(after.service.vacancies.get(closed)).toBeUndefined();
    expect(after.service.vacancies.get(uncoded)).toBeUndefined();
    expect(held.unmatchable).toContain(uncoded);
    expect(after.service.vacancies.get(added as string)).toBeDefined();
    expect(after.service.vacancies.get(moved)?.lat).toBe(53.55);
    expect(after.service.customers.get(changedCustomer)?.maxCommuteKm).toBe(500);
    expect(after.service.customers.get(restricted)).toBeUndefined();
    expect(after.service.customers.get(deleted)).toBeUndefined();
    await after.close();
    expect(after.said()).toContain('matcher snapshot written');
  });

  it('rebuilds from the database when the snapshot is damaged or cut', async () => {
    const file = join(dir, MATCH_SNAPSHOT_FILE);
    const good = await readFile(file);
    const damaged = Buffer.from(good);
    damaged[200] = (damaged[200] as number) ^ 0x01;
    await writeFile(file, damaged);
    const next = await start();
    expect(next.said()).toContain(rebuilt('checksum mismatch'));
    expect(fingerprint(next.service)).toEqual(await fresh());
    await next.close();

    await writeFile(file, good.subarray(0, good.length / 2));
    const cut = await start();
    expect(cut.said().some((m) => m.startsWith(rebuilt('')))).toBe(true);
    expect(cut.said()).not.toContain(LOADED);
    await cut.close();
    expect(cut.said()).toContain('matcher snapshot written');
  });

  it('rebuilds when the vacancies and the database disagree after the catch-up (a change without outbox row)', async () => {
    const reference = await start();
    expect(reference.said()).toContain(LOADED);
    const open = reference.service.openVacancies;
    await database.db
      .update(vacancies)
      .set({ status: 'filled' })
      .where(eq(vacancies.id, vacancyIds[10] as string));
    const next = await start();
    expect(next.said()).toContain(rebuilt(`matcher holds ${open} open vacancies, the database ${open - 1}`));
    expect(next.service.vacancies.get(vacancyIds[10] as string)).toBeUndefined();
    expect(fingerprint(next.service)).toEqual(await fresh());
    await next.close();
  });

  it('never loads the snapshot of another installation or database', async () => {
    const other = await openMigrated(factory);
    try {
      const otherCtx = testContext(other.db, NOW);
      await insertSyntheticVacancies(other.db, 30, NOW, 5);
      const next = await start(otherCtx);
      expect(next.said()).toContain(rebuilt('snapshot of another installation'));
      expect(next.service.vacancies.size).toBe(30);
    } finally {
      await other.close();
    }
    // A copy of this installation given an id of its own (docs/operations.md) does not use the original's snapshot.
    const { previous } = await resetInstallationId(database.db);
    const copy = await start();
    expect(copy.said()).toContain(rebuilt('snapshot of another installation'));
    await copy.close();
    expect(previous).toBeDefined();
  });

  it('treats a database whose outbox differs from the snapshot as restored or replaced', async () => {
    const current = await start();
    expect(current.said()).toContain(LOADED);
    await current.close();
    // The newest vacancy row at the snapshot's position is gone: a restored backup that took another course.
    const [last] = await database.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(eq(outbox.aggregateType, 'vacancy'))
      .orderBy(desc(outbox.id))
      .limit(1);
    await database.db.delete(outbox).where(eq(outbox.id, (last as { id: number }).id));
    const restored = await start();
    expect(restored.said()).toContain(rebuilt('outbox differs from the snapshot (restored or replaced database)'));
    await restored.close();

    // A database that has fallen behind the snapshot altogether.
    await database.db.delete(outbox);
    const behind = await start();
    expect(behind.said()).toContain(rebuilt('snapshot ahead of the database'));
    expect(fingerprint(behind.service)).toEqual(await fresh());
  });
});
