/**
 * Starting the embedded index from its snapshot (src/search/index-start.ts) against a real database: the first start
 * rebuilds and leaves a snapshot, the next loads it and catches up with the outbox, and a damaged or foreign
 * snapshot, or one the database contradicts, is rebuilt from the DB instead of being served.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/context.ts';
import type { Database } from '../../src/db/client.ts';
import { outbox, vacancies } from '../../src/db/schema.ts';
import { appendOutbox, vacancyChanged } from '../../src/outbox/append.ts';
import { EmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { openIndexFollower, SNAPSHOT_FILE } from '../../src/search/index-start.ts';
import { SearchQuery, type SearchQueryInput } from '../../src/search/search-engine.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const QUERIES: SearchQueryInput[] = [{}, { q: 'Lager' }, { q: 'Pflege', sort: 'date' }, { q: 'e', page: 2 }];

describe.each(testDatabases())('search index snapshot on $name', (factory) => {
  let database: Database;
  let dir: string;
  let ids: string[];
  const ctx = testContext(undefined as never, NOW);

  beforeAll(async () => {
    database = await openMigrated(factory);
    ctx.db = database.db;
    ids = await insertSyntheticVacancies(database.db, 400, NOW);
    dir = await mkdtemp(join(tmpdir(), 'search-start-'));
  });
  afterAll(async () => {
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A process start: a new engine and follower on the data directory; `said` lists what it logged. */
  const start = async (on = ctx) => {
    const lines: Array<{ msg: string; reason?: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const engine = new EmbeddedSearchEngine();
    const follower = await openIndexFollower(on, engine, { kind: 'embedded', dataDir: dir, log });
    const said = () => lines.map((l) => (l.reason ? `${l.msg}: ${l.reason}` : l.msg));
    return { engine, follower, said };
  };
  const answers = (engine: EmbeddedSearchEngine) =>
    Promise.all(QUERIES.map((q) => engine.search(SearchQuery.parse(q))));
  const change = (id: string, set: Partial<typeof vacancies.$inferInsert>) =>
    withTransaction(ctx, async (tx) => {
      await tx.db.update(vacancies).set(set).where(eq(vacancies.id, id));
      await appendOutbox(tx, vacancyChanged(id));
    });

  it('rebuilds at the first start and leaves a snapshot that the next start loads, answering the same', async () => {
    const first = await start();
    expect(first.said()).toContain('search index snapshot not used; rebuilding from the database: no snapshot');
    expect(await first.engine.count()).toBe(400);
    await first.follower.close();
    expect(first.said()).toContain('search index snapshot written');

    const second = await start();
    expect(second.said()).toContain('embedded search index loaded from its snapshot');
    expect(second.said().some((m) => m.includes('rebuilding'))).toBe(false);
    expect(await answers(second.engine)).toEqual(await answers(first.engine));
    // Nothing changed, so nothing is written at shutdown.
    await second.follower.close();
    expect(second.said()).not.toContain('search index snapshot written');
  });

  it('catches up with changes made after the snapshot, also when the process ended without writing one', async () => {
    const before = await start();
    const [closed, renamed] = [ids[0] as string, ids[1] as string];
    await change(closed, { status: 'closed' });
    await change(renamed, { title: 'Zirkusartist (m/w/d)' });
    const [added] = await insertSyntheticVacancies(database.db, 1, NOW, 99);
    await withTransaction(ctx, (tx) => appendOutbox(tx, vacancyChanged(added as string)));
    // `before` is dropped without close(): a crash. Its snapshot is older than these changes.
    expect(await before.engine.get(closed)).toBeDefined();

    const after = await start();
    expect(after.said()).toContain('embedded search index loaded from its snapshot');
    expect(await after.engine.get(closed)).toBeUndefined();
    expect(await after.engine.get(added as string)).toBeDefined();
    const circus = await after.engine.search(SearchQuery.parse({ q: 'Zirkusartist' }));
    expect(circus.hits.map((h) => h.id)).toEqual([renamed]);
    expect(await after.engine.count()).toBe(400);
    await after.follower.close();
    expect(after.said()).toContain('search index snapshot written');
  });

  it('rebuilds from the database when the snapshot is damaged', async () => {
    const file = join(dir, SNAPSHOT_FILE);
    const bytes = await readFile(file);
    const at = bytes.length - 100;
    bytes[at] = (bytes[at] as number) ^ 0xff;
    await writeFile(file, bytes);

    const next = await start();
    expect(next.said()).toContain('search index snapshot not used; rebuilding from the database: checksum mismatch');
    expect(await next.engine.count()).toBe(400);
    expect((await next.engine.search(SearchQuery.parse({ q: 'Zirkusartist' }))).total).toBe(1);
    await next.follower.close();
  });

  it('rebuilds when the index and the database disagree after the catch-up (a change without outbox row)', async () => {
    const reference = await start();
    expect(reference.said()).toContain('embedded search index loaded from its snapshot');
    await database.db
      .update(vacancies)
      .set({ status: 'filled' })
      .where(eq(vacancies.id, ids[5] as string));

    const next = await start();
    expect(next.said()).toContain(
      'search index snapshot not used; rebuilding from the database: index holds 400 vacancies, the database 399 open',
    );
    expect(await next.engine.get(ids[5] as string)).toBeUndefined();
    await next.follower.close();
  });

  it('never loads the snapshot of another database', async () => {
    const other = await openMigrated(factory);
    try {
      const otherCtx = testContext(other.db, NOW);
      await insertSyntheticVacancies(other.db, 30, NOW, 5);
      // The other database never wrote a snapshot, so it has no id the snapshot could name.
      const next = await start(otherCtx);
      expect(next.said()).toContain(
        'search index snapshot not used; rebuilding from the database: snapshot of another database',
      );
      expect(await next.engine.count()).toBe(30);
      expect(await next.engine.get(ids[10] as string)).toBeUndefined();
      await next.follower.close();
    } finally {
      await other.close();
    }
  });

  it('treats a database that has fallen behind the snapshot as foreign (restored from an older backup)', async () => {
    const current = await start();
    await current.follower.close();
    // Same database id, but an outbox that ends before the snapshot's position.
    await database.db.delete(outbox);
    const next = await start();
    expect(next.said()).toContain(
      'search index snapshot not used; rebuilding from the database: snapshot ahead of the database',
    );
  });
});
