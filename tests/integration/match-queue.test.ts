import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatchResult } from '../../matchers/engine/types.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { createProcessors } from '../../queues/processors/registry.ts';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { startRelays } from '../../queues/relays.ts';
import { startWorkers, type Workers } from '../../queues/workers.ts';
import type { Actor } from '../../src/audit/record.ts';
import { loadConfig } from '../../src/config.ts';
import { patchCustomer } from '../../src/customers/profile.ts';
import type { Database } from '../../src/db/client.ts';
import { branches, customers, matches, outbox, users, vacancies } from '../../src/db/schema.ts';
import { deterministicUuid } from '../../src/demo/random.ts';
import { lookupPlz } from '../../src/geo/plz.ts';
import { testContext } from '../helpers/context.ts';
import { type QueueTestSetup, testQueueBackends } from '../helpers/queue-backends.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const CUSTOMER = deterministicUuid(78, 1);
const COOK = [deterministicUuid(78, 11), deterministicUuid(78, 12)];
const LAGER = [deterministicUuid(78, 21), deterministicUuid(78, 22)];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(testQueueBackends())('re-matching through the $name queue backend', (backend) => {
  let setup: QueueTestSetup;
  let database: Database;
  let queues: Queues;
  let workers: Workers;
  let relays: { stop(): Promise<void> };
  const ctx = testContext(undefined as never, NOW);
  const caseworker: Actor = { userId: deterministicUuid(78, 99), role: 'caseworker', branchId: 1, employerId: null };

  const storedList = async (type: 'vacancy' | 'customer', id: string) => {
    const [row] = await database.db
      .select()
      .from(matches)
      .where(and(eq(matches.subjectType, type), eq(matches.subjectId, id)));
    return row && { ...row, results: row.results as MatchResult[] };
  };

  beforeAll(async () => {
    setup = await backend.open();
    database = setup.database;
    ctx.db = database.db;
    const place = lookupPlz('70173')!;
    await database.db.insert(branches).values({ id: 1, name: 'Zweigstelle Mitte', plz: '70173' });
    await database.db.insert(users).values({
      id: caseworker.userId,
      email: 'cw@test.invalid',
      displayName: 'Test',
      role: 'caseworker',
      branchId: 1,
    });
    await database.db.insert(customers).values({
      id: CUSTOMER,
      displayName: 'Testkunde Queue',
      branchId: 1,
      profileGroup: 'market',
      targetKldbCodes: ['29302'],
      licences: ['B', 'STAPLER'],
      plz: '70173',
      lat: place.lat,
      lon: place.lon,
      maxCommuteKm: 30,
      workingTimes: ['vollzeit'],
      availableFrom: new Date('2026-01-01T00:00:00Z'),
      consent: true,
    });
    const vacancy = (id: string, kldbCode: string, title: string) => ({
      id,
      title,
      kldbCode,
      kldbConfidence: 1,
      requirementLevel: 2,
      plz: '70173',
      lat: place.lat,
      lon: place.lon,
      workingTimes: ['vollzeit'],
      publishedAt: new Date('2026-11-18T08:00:00Z'),
    });
    await database.db
      .insert(vacancies)
      .values([
        ...COOK.map((id) => vacancy(id, '29302', 'Koch (m/w/d)')),
        ...LAGER.map((id) => vacancy(id, '51312', 'Fachkraft Lagerlogistik (m/w/d)')),
      ]);

    const service = await MatchService.load(ctx);
    queues = createQueues(setup.backend, ctx.log);
    const processors = createProcessors({
      config: loadConfig({}),
      ctx,
      queues,
      indexFollower: undefined,
      matchService: service,
      mail: undefined,
      log: ctx.log,
    });
    workers = startWorkers({ backend: setup.backend, processors, log: ctx.log });
    relays = startRelays({ ctx, queues, log: ctx.log, intervalMs: 100 });
  });

  afterAll(async () => {
    await relays?.stop();
    await workers?.close();
    await queues?.close();
    await setup?.close();
  });

  it('a new target occupation makes matching vacancies appear in the stored list, without calling rematch', async () => {
    await patchCustomer({ ctx, actor: caseworker, id: CUSTOMER, input: { maxCommuteKm: 25 } });
    const first = await until('the first stored list', () => storedList('customer', CUSTOMER));
    expect(first.results.map((r) => r.vacancyId).sort()).toEqual([...COOK].sort());

    await patchCustomer({ ctx, actor: caseworker, id: CUSTOMER, input: { targetKldbCodes: ['51312', '29302'] } });
    const second = await until('the re-ranked list', async () => {
      const list = await storedList('customer', CUSTOMER);
      return list?.results.some((r) => LAGER.includes(r.vacancyId)) ? list : undefined;
    });
    // The first target is what the customer wants most: warehouse jobs now rank above the kitchen.
    expect(
      second.results
        .map((r) => r.vacancyId)
        .slice(0, 2)
        .sort(),
    ).toEqual([...LAGER].sort());
    expect(second.results).toHaveLength(4);
    expect(second.results[0]?.parts[0]?.text).toMatch(/^gleiche Berufsgattung: 51312/);

    const pending = await until('every match row processed', async () => {
      const rows = await database.db
        .select({ id: outbox.id })
        .from(outbox)
        .where(and(eq(outbox.topic, 'match'), isNull(outbox.processedAt)));
      return rows.length === 0 ? rows : undefined;
    });
    expect(pending).toEqual([]);
  });

  it('a changed vacancy is ranked through the queue too, and a closed one loses its list', async () => {
    await database.db.insert(outbox).values({ topic: 'match', aggregateType: 'vacancy', aggregateId: LAGER[0]! });
    const list = await until('the vacancy list', () => storedList('vacancy', LAGER[0]!));
    expect(list.results.map((r) => r.customerId)).toEqual([CUSTOMER]);

    await database.db.transaction(async (tx) => {
      await tx.update(vacancies).set({ status: 'closed', updatedAt: NOW }).where(eq(vacancies.id, LAGER[0]!));
      await tx.insert(outbox).values({ topic: 'match', aggregateType: 'vacancy', aggregateId: LAGER[0]! });
    });
    await until('the stored list to disappear', async () =>
      (await storedList('vacancy', LAGER[0]!)) ? undefined : true,
    );
  });
});
