/**
 * `rebuildIndex` (start-up without a snapshot, `jobbruecke reindex`) builds the new index aside while the old one
 * serves, and afterwards replays the log from where it started reading: a change committed during the build, to a
 * vacancy whose page was already read, is in the index once the rebuild returns.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { vacancies } from '../../src/db/schema.ts';
import { appendOutbox, vacancyChanged } from '../../src/outbox/append.ts';
import { EmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { rebuildIndex } from '../../src/search/index-sync.ts';
import { SearchQuery } from '../../src/search/search-engine.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const NOW = new Date('2026-11-20T09:00:00Z');

describe.each(testDatabases())('search index rebuild on $name', (factory) => {
  let database: Database;
  let ids: string[];

  beforeAll(async () => {
    database = await openMigrated(factory);
    ids = (await insertSyntheticVacancies(database.db, 1200, NOW)).sort();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('keeps serving the old index and loses no change committed while it reads', async () => {
    const ctx = testContext(database.db, NOW);
    const engine = new EmbeddedSearchEngine();
    await rebuildIndex(ctx, engine, 500);
    expect(await engine.count()).toBe(ids.length);

    const [first, second] = ids as [string, string];
    const totals: number[] = [];
    const realRebuild = engine.rebuild.bind(engine);
    engine.rebuild = (fill) =>
      realRebuild(async (write) => {
        let pages = 0;
        await fill(async (docs) => {
          await write(docs);
          pages++;
          if (pages !== 1) return;
          // The first page (holding `first`) is read; now two changes commit through the ordinary write path.
          totals.push((await engine.search(SearchQuery.parse({}))).total);
          await database.db.transaction(async (tx) => {
            const txCtx = { ...ctx, db: tx };
            await tx.update(vacancies).set({ title: 'Umbenannte Testausschreibung' }).where(eq(vacancies.id, first));
            await tx.update(vacancies).set({ status: 'closed' }).where(eq(vacancies.id, second));
            await appendOutbox(txCtx, [...vacancyChanged(first), ...vacancyChanged(second)]);
          });
        });
      });

    const indexed = await rebuildIndex(ctx, engine, 500);
    expect(indexed).toBe(ids.length);
    // During the build the old, complete index answered.
    expect(totals).toEqual([ids.length]);
    expect((await engine.get(first))?.title).toBe('Umbenannte Testausschreibung');
    expect(await engine.get(second)).toBeUndefined();
    expect(await engine.count()).toBe(ids.length - 1);
  });
});
