/**
 * The match service's indexes against the DB: one read catches up with the outbox exactly once, and a re-match whose
 * transaction fails leaves the indexes as the DB is.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadProfiles } from '../../matchers/service/load.ts';
import { customerMatchList, vacancyMatchList } from '../../matchers/service/match-lists.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { rematch } from '../../matchers/service/rematch.ts';
import { withTransaction } from '../../src/context.ts';
import { readCustomerRecord } from '../../src/customers/access.ts';
import { deleteCustomer } from '../../src/customers/retention.ts';
import type { Database } from '../../src/db/client.ts';
import { branches, customers, matches, outbox, proposals, vacancies } from '../../src/db/schema.ts';
import { deterministicUuid } from '../../src/demo/random.ts';
import { lookupPlz } from '../../src/geo/plz.ts';
import { appendOutbox } from '../../src/outbox/append.ts';
import { readLog } from '../../src/outbox/read-log.ts';
import { closeExpired } from '../../src/vacancies/ingest/close-expired.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

// Every follower pass reads the log at least once, and exactly once when fewer than a page of rows is new.
vi.mock('../../src/outbox/read-log.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/outbox/read-log.ts')>();
  return { ...actual, readLog: vi.fn(actual.readLog) };
});

const NOW = new Date('2026-11-20T09:00:00Z');
/** Before NOW, so a list stored at NOW is fresh. */
const CHANGED_AT = new Date('2026-11-19T09:00:00Z');
/** More of each than a stored list holds (50), so a page of 50 with dropped pairs must be ranked live. */
const COUNT = 55;
const CUSTOMERS = Array.from({ length: COUNT }, (_, i) => deterministicUuid(91, i + 1)).sort();
const VACANCIES = Array.from({ length: COUNT }, (_, i) => deterministicUuid(92, i + 1)).sort();
const FIRST_CUSTOMER = CUSTOMERS[0]!;
const FIRST_VACANCY = VACANCIES[0]!;

describe.each(testDatabases())('match service and DB on $name', (factory) => {
  let database: Database;
  let service: MatchService;
  const ctx = testContext(undefined as never, NOW);

  /** Follower passes during `read`. */
  const passes = async (read: () => Promise<unknown>) => {
    vi.mocked(readLog).mockClear();
    await read();
    return vi.mocked(readLog).mock.calls.length;
  };

  beforeAll(async () => {
    database = await openMigrated(factory);
    ctx.db = database.db;
    const place = lookupPlz('70173')!;
    await database.db.insert(branches).values({ id: 1, name: 'Zweigstelle Mitte', plz: '70173' });
    await database.db.insert(customers).values(
      CUSTOMERS.map((id, i) => ({
        id,
        displayName: `Testkunde ${i}`,
        branchId: 1,
        profileGroup: 'market' as const,
        targetKldbCodes: ['29302'],
        plz: '70173',
        lat: place.lat,
        lon: place.lon,
        maxCommuteKm: 30,
        workingTimes: ['vollzeit'],
        availableFrom: new Date('2026-01-01T00:00:00Z'),
        consent: true,
        updatedAt: CHANGED_AT,
      })),
    );
    await database.db.insert(vacancies).values(
      VACANCIES.map((id) => ({
        id,
        title: 'Koch (m/w/d)',
        kldbCode: '29302',
        kldbConfidence: 1,
        requirementLevel: 2,
        plz: '70173',
        lat: place.lat,
        lon: place.lon,
        workingTimes: ['vollzeit'],
        publishedAt: new Date('2026-11-18T08:00:00Z'),
        updatedAt: CHANGED_AT,
      })),
    );
    // Earlier, rejected proposals at the top of both first lists: a page of 50 from the stored list falls short.
    await database.db.insert(proposals).values([
      ...VACANCIES.slice(0, 3).map((vacancyId) => ({
        vacancyId,
        customerId: FIRST_CUSTOMER,
        status: 'rejected' as const,
      })),
      ...CUSTOMERS.slice(1, 3).map((customerId) => ({
        vacancyId: FIRST_VACANCY,
        customerId,
        status: 'rejected' as const,
      })),
    ]);
    service = await MatchService.load(ctx);
  });

  afterAll(async () => {
    await database?.close();
  });

  describe('one read syncs once', () => {
    it('for a vacancy list that is stored and then ranked live', async () => {
      let list: Awaited<ReturnType<typeof vacancyMatchList>> | undefined;
      const read = async () => {
        list = await vacancyMatchList(ctx, service, FIRST_VACANCY, {
          limit: 50,
          includeActivation: false,
          branchId: null,
        });
      };
      expect(await passes(read)).toBe(1);
      expect(list?.source).toBe('computed');
      expect(list?.results).toHaveLength(50);
      // The stored list is fresh now, but its page is still short: ranked live again.
      expect(await passes(read)).toBe(1);
      expect(list?.source).toBe('computed');
    });

    it('for a customer list that is stored and then ranked live', async () => {
      const customer = (await readCustomerRecord(ctx, FIRST_CUSTOMER))!;
      let list: Awaited<ReturnType<typeof customerMatchList>> | undefined;
      const read = async () => {
        list = await customerMatchList(ctx, service, customer.id, { limit: 50, branchId: null });
      };
      expect(await passes(read)).toBe(1);
      expect(list?.source).toBe('computed');
      expect(list?.results).toHaveLength(50);
      expect(await passes(read)).toBe(1);
    });

    it('for a list stored by one read and served from storage by the next, and for "warum nicht?"', async () => {
      const computedAt: Date[] = [];
      const read = async () => {
        const list = await vacancyMatchList(ctx, service, VACANCIES[5]!, {
          limit: 20,
          includeActivation: false,
          branchId: null,
        });
        expect(list.source).toBe('stored');
        computedAt.push(list.computedAt);
      };
      expect(await passes(read)).toBe(1);
      ctx.setNow(new Date(NOW.getTime() + 60_000));
      try {
        expect(await passes(read)).toBe(1);
      } finally {
        ctx.setNow(NOW);
      }
      // Ranked and stored by the first read, served as stored by the second.
      expect(computedAt).toEqual([NOW, NOW]);
      expect(
        await passes(() => service.whyNot(ctx, FIRST_VACANCY, FIRST_CUSTOMER, { includeActivation: false, now: NOW })),
      ).toBe(1);
    });
  });

  describe('a failed re-match', () => {
    const subject = CUSTOMERS[10]!;
    const inIndex = () => service.customers.get(subject);
    /** The profile as loading it from the DB now gives it: what the index must hold. */
    const inDb = async () => (await loadProfiles(ctx, [subject])).get(subject);

    it('leaves the indexes as the DB is when its own transaction fails', async () => {
      await withTransaction(ctx, async (tx) => {
        await tx.db.update(customers).set({ maxCommuteKm: 12 }).where(eq(customers.id, subject));
        await appendOutbox(tx, [{ topic: 'match', aggregateType: 'customer', aggregateId: subject }]);
      });
      const [row] = await database.db
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.aggregateId, subject), eq(outbox.topic, 'match')));
      await database.db.execute(sql`
        create function fail_match_store() returns trigger language plpgsql as $$
        begin raise exception 'match store unavailable'; end $$`);
      await database.db.execute(
        sql`create trigger fail_match_store before insert or update on matches for each row execute function fail_match_store()`,
      );
      try {
        const failed = await rematch(ctx, service, { kind: 'customer', id: subject, outboxId: row!.id }).catch(
          (err: unknown) => err,
        );
        expect(String((failed as Error).cause ?? failed)).toContain('match store unavailable');
      } finally {
        await database.db.execute(sql`drop trigger fail_match_store on matches`);
        await database.db.execute(sql`drop function fail_match_store()`);
      }
      expect(inIndex()?.maxCommuteKm).toBe(12);
      expect(inIndex()).toEqual(await inDb());
      const [pending] = await database.db
        .select({ processedAt: outbox.processedAt })
        .from(outbox)
        .where(eq(outbox.id, row!.id));
      expect(pending?.processedAt).toBeNull();
      expect(
        await database.db
          .select()
          .from(matches)
          .where(and(eq(matches.subjectType, 'customer'), eq(matches.subjectId, subject))),
      ).toEqual([]);

      // Delivered again, it succeeds.
      const outcome = await rematch(ctx, service, { kind: 'customer', id: subject, outboxId: row!.id });
      expect(outcome.status).toBe('done');
    });

    it('refuses to run inside a transaction that may still roll back, so no uncommitted change reaches the index', async () => {
      const before = inIndex()?.maxCommuteKm;
      const attempt = withTransaction(ctx, async (tx) => {
        await tx.db.update(customers).set({ maxCommuteKm: 3 }).where(eq(customers.id, subject));
        await rematch(tx, service, { kind: 'customer', id: subject });
        throw new Error('rolled back');
      });
      const error = await attempt.catch((err: unknown) => err);
      expect(inIndex()?.maxCommuteKm).toBe(before);
      expect(inIndex()).toEqual(await inDb());
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain('rematch opens its own transaction');
    });
  });

  it('drops a vacancy that closed from the index and its stored list at the next read', async () => {
    const closing = VACANCIES[VACANCIES.length - 1]!;
    await vacancyMatchList(ctx, service, closing, { limit: 5, includeActivation: false, branchId: null });
    expect(service.vacancies.get(closing)).toBeDefined();
    await database.db
      .update(vacancies)
      .set({ validThrough: new Date(NOW.getTime() - 60_000) })
      .where(eq(vacancies.id, closing));
    expect(await closeExpired(ctx)).toBe(1);
    await service.sync(ctx);
    expect(service.vacancies.get(closing)).toBeUndefined();
    await expect(
      vacancyMatchList(ctx, service, closing, { limit: 5, includeActivation: false, branchId: null }),
    ).rejects.toThrow(/nicht offen/);
  });
  describe('stored lists parsed once per row version', () => {
    const subject = VACANCIES[20]!;
    const read = (limit = 20) =>
      vacancyMatchList(ctx, service, subject, { limit, includeActivation: false, branchId: null });
    const storedRow = async () =>
      (
        await database.db
          .select({ results: matches.results })
          .from(matches)
          .where(and(eq(matches.subjectType, 'vacancy'), eq(matches.subjectId, subject)))
      )[0];

    it('serves a list read before as it was, and one changed in the DB since as it now is', async () => {
      await read(); // ranks and stores the list; the next read parses it
      expect(service.parsedLists.get({ type: 'vacancy', id: subject })).toBeUndefined();
      const first = await read();
      expect(first.source).toBe('stored');
      expect(service.parsedLists.get({ type: 'vacancy', id: subject })).toBeDefined();
      expect((await read()).results).toEqual(first.results);

      // Another process stores a new ranking: here, the same without its first customer, a second later.
      const top = first.results[0]!.customerId;
      const row = await storedRow();
      await database.db
        .update(matches)
        .set({
          results: (row!.results as Array<{ customerId: string }>).filter((r) => r.customerId !== top),
          computedAt: new Date(NOW.getTime() - 1_000),
        })
        .where(and(eq(matches.subjectType, 'vacancy'), eq(matches.subjectId, subject)));
      const after = await read();
      expect(after.source).toBe('stored');
      expect(after.computedAt).toEqual(new Date(NOW.getTime() - 1_000));
      expect(after.results.map((r) => r.customerId)).not.toContain(top);
      expect(after.results.map((r) => r.customerId)).toEqual(
        first.results
          .map((r) => r.customerId)
          .filter((id) => id !== top)
          .concat(after.results.at(-1)!.customerId),
      );
    });

    it('forgets every parsed list naming a customer once the customer is deleted, at the next sync', async () => {
      const list = await read();
      const gone = list.results[0]!.customerId;
      const customer = (await readCustomerRecord(ctx, gone))!;
      await customerMatchList(ctx, service, customer.id, { limit: 20, branchId: null });
      await customerMatchList(ctx, service, customer.id, { limit: 20, branchId: null });
      expect(service.parsedLists.get({ type: 'vacancy', id: subject })).toBeDefined();
      expect(service.parsedLists.get({ type: 'customer', id: gone })).toBeDefined();

      await deleteCustomer({
        ctx,
        actor: { userId: deterministicUuid(93, 1), role: 'admin', branchId: null, employerId: null },
        id: gone,
        input: { reason: 'erasure_request' },
      });
      await service.sync(ctx);
      expect(service.parsedLists.get({ type: 'customer', id: gone })).toBeUndefined();
      expect(service.parsedLists.get({ type: 'vacancy', id: subject })).toBeUndefined();
      expect((await read()).results.map((r) => r.customerId)).not.toContain(gone);
    });
  });
});
