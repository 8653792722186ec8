/**
 * Importing the BA's title index into the database and picking it up: the import bumps a revision, a process
 * installs the new index at its next check (ingest checks before each batch), later processes read the stored
 * snapshot instead of rebuilding, and the crosswalk follows both lists. Synthetic workbooks in the BA's layout only.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Resources, UsageError } from '../../bin/commands/command.ts';
import { taxonomyCommand } from '../../bin/commands/taxonomy.ts';
import type { Database } from '../../src/db/client.ts';
import {
  ingestBatches,
  kldbIndexSnapshots,
  kldbTitles,
  sources,
  vacancies,
  vacancySources,
} from '../../src/db/schema.ts';
import { ValidationFailed } from '../../src/errors.ts';
import { codeOccupation } from '../../src/taxonomy/coder.ts';
import { readTitleWorkbook } from '../../src/taxonomy/official-titles.ts';
import { mapLegacyKldb } from '../../src/taxonomy/title-index.ts';
import {
  importTitleLists,
  refreshTitleIndex,
  resetTitleIndex,
  titleIndexMeta,
} from '../../src/taxonomy/title-store.ts';
import { ingestBatch } from '../../src/vacancies/ingest/ingest-batch.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { type SyntheticTitle, titleWorkbook } from '../helpers/title-workbook.ts';

const CURRENT: SyntheticTitle[] = [
  { dkzId: 910001, code: '24412', state: 'E', neutral: 'Quantenkesselflicker/in' },
  { dkzId: 910002, code: '83113', state: 'E', neutral: 'Erzieher/in' },
  { dkzId: 910003, code: '81772', state: 'E', neutral: 'Podologe/Podologin', male: 'Podologe', female: 'Podologin' },
];
const LEGACY: SyntheticTitle[] = [
  { dkzId: 910002, code: 'B 83112-101', state: 'E', neutral: 'Erzieher/in' },
  {
    dkzId: 910003,
    code: 'B 81122-102',
    state: 'E',
    neutral: 'Podologe/Podologin',
    male: 'Podologe',
    female: 'Podologin',
  },
];

describe.each(testDatabases())('title index import on $name', (factory) => {
  let database: Database;
  const ctx = () => testContext(database.db);

  beforeAll(async () => {
    database = await openMigrated(factory);
    resetTitleIndex();
  });
  afterAll(async () => {
    resetTitleIndex();
    await database.close();
  });

  it('installs an imported list at the next check, and only then', async () => {
    expect(await refreshTitleIndex(ctx())).toBe(true);
    expect(codeOccupation({ title: 'Quantenkesselflicker' }).best?.code).not.toBe('24412');
    const current = await readTitleWorkbook(await titleWorkbook(CURRENT, { asOf: '29.12.2025' }));
    const report = await importTitleLists(ctx(), { current });
    expect(report.meta.current).toMatchObject({ asOf: '29.12.2025', titles: 3 });
    expect(report.meta.crosswalkPairs).toBe(0);
    expect(report.warnings).toEqual([]);

    expect(await refreshTitleIndex(ctx())).toBe(true);
    expect(codeOccupation({ title: 'Quantenkesselflicker (m/w/d)' }).best).toEqual({ code: '24412', confidence: 1 });
    // Unchanged revision: nothing to do.
    expect(await refreshTitleIndex(ctx())).toBe(false);
  });

  it('stores a snapshot that another process reads instead of rebuilding', async () => {
    const snapshots = await database.db.select({ revision: kldbIndexSnapshots.revision }).from(kldbIndexSnapshots);
    const meta = await titleIndexMeta(ctx());
    expect(snapshots).toEqual([{ revision: meta?.revision }]);
    // Without the titles a rebuild could not code the invented title: the snapshot must be what is read.
    const saved = await database.db.select().from(kldbTitles);
    await database.db.delete(kldbTitles);
    resetTitleIndex();
    expect(await refreshTitleIndex(ctx())).toBe(true);
    expect(codeOccupation({ title: 'Quantenkesselflicker' }).best?.code).toBe('24412');
    await database.db.insert(kldbTitles).values(saved);
  });

  it('derives the crosswalk when the older list comes in, and a running process picks it up', async () => {
    const legacy = await readTitleWorkbook(await titleWorkbook(LEGACY, { asOf: '03.01.2019' }));
    const report = await importTitleLists(ctx(), { legacy });
    expect(report.meta.current?.titles).toBe(3);
    expect(report.meta.legacy).toMatchObject({ asOf: '03.01.2019', titles: 2 });
    expect(report.meta.crosswalkPairs).toBe(2);
    // The old revision's snapshot is gone with the import.
    expect(await database.db.select().from(kldbIndexSnapshots)).toEqual([]);
    expect(mapLegacyKldb('81122')).toBeNull();
    expect(await refreshTitleIndex(ctx())).toBe(true);
    expect(mapLegacyKldb('81122')).toMatchObject({ code: '81772', share: 1, basis: 'crosswalk' });
    expect(mapLegacyKldb('83112')?.code).toBe('83113');
  });

  it('refuses a list not coded with the 2020 revision and warns about a date that does not fit', async () => {
    const foreign = await readTitleWorkbook(
      await titleWorkbook([
        { dkzId: 1, code: '81122', state: 'E', neutral: 'Podologe/Podologin' },
        { dkzId: 2, code: '99999', state: 'E', neutral: 'Irgendwas' },
      ]),
    );
    await expect(importTitleLists(ctx(), { current: foreign })).rejects.toBeInstanceOf(ValidationFailed);
    const old = await readTitleWorkbook(await titleWorkbook(CURRENT, { asOf: '03.01.2019' }));
    const report = await importTitleLists(ctx(), { current: old });
    expect(report.warnings[0]).toMatch(/--legacy/);
  });

  it('codes an ingested posting with the imported index, and maps an old code a source states', async () => {
    const [source] = await database.db
      .insert(sources)
      .values({ name: 'Beispielbörse', type: 'feed', url: 'https://board.invalid/feed', legalBasis: 'test' })
      .returning({ id: sources.id });
    const postings = [
      { externalId: 'q-1', title: 'Quantenkesselflicker (m/w/d)', locations: [{ plz: '70173' }] },
      { externalId: 'q-2', title: 'Fußpflege (m/w/d)', kldbCode: '81122', locations: [{ plz: '70173' }] },
    ];
    // A new revision that this process has not installed yet: ingest checks before the batch.
    await importTitleLists(ctx(), { current: await readTitleWorkbook(await titleWorkbook(CURRENT)) });
    const [batch] = await database.db
      .insert(ingestBatches)
      .values({ sourceId: source!.id, postings })
      .returning({ id: ingestBatches.id });
    await ingestBatch(ctx(), batch!.id);
    const coded = await database.db
      .select({ externalId: vacancySources.externalId, code: vacancies.kldbCode, review: vacancies.kldbNeedsReview })
      .from(vacancySources)
      .innerJoin(vacancies, eq(vacancies.id, vacancySources.vacancyId))
      .where(and(eq(vacancySources.sourceId, source!.id)));
    expect(coded.sort((a, b) => a.externalId.localeCompare(b.externalId))).toEqual([
      { externalId: 'q-1', code: '24412', review: false },
      { externalId: 'q-2', code: '81772', review: false },
    ]);
  });
});

describe('taxonomy command', () => {
  it('imports workbooks, reports the lists and maps an old code', async () => {
    const [factory] = testDatabases();
    const database = await openMigrated(factory!);
    resetTitleIndex();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-taxonomy-'));
      const currentFile = join(dir, 'aktuell.xlsx');
      const legacyFile = join(dir, 'alt.xlsx');
      writeFileSync(currentFile, await titleWorkbook(CURRENT, { asOf: '29.12.2025' }));
      writeFileSync(legacyFile, await titleWorkbook(LEGACY, { asOf: '03.01.2019' }));
      const out: string[] = [];
      const ctx = testContext(database.db);
      const notUsed = async () => {
        throw new Error('not used by this command');
      };
      const resources: Resources = {
        shared: false,
        core: async () => ({ ctx, database }),
        queues: notUsed,
        search: notUsed,
        matchService: notUsed,
      };
      const run = (argv: string[]) => {
        const { values, positionals } = parseArgs({
          args: argv,
          options: taxonomyCommand.options as ParseArgsConfig['options'],
          allowPositionals: true,
          strict: true,
        });
        return taxonomyCommand.run({
          config: undefined as never,
          log: ctx.log,
          io: { out: (line) => out.push(line), err: (line) => out.push(line) },
          resources,
          operator: 'test',
          values,
          positionals,
          execute: notUsed,
        });
      };
      expect(await run(['import', '--legacy', legacyFile, currentFile])).toBe(0);
      expect(out.join('\n')).toMatch(/Current list: 3 titles, as of 29\.12\.2025/);
      expect(out.join('\n')).toMatch(/Crosswalk KldB 2010 → 2020: 2 code pairs/);
      out.length = 0;
      expect(await run(['map', '81122'])).toBe(0);
      expect(out[0]).toMatch(/^81122 → 81772 Podologen/);
      out.length = 0;
      expect(await run(['status'])).toBe(0);
      expect(out[1]).toMatch(/^Older list: 2 titles, as of 03\.01\.2019/);
      await expect(run(['import', join(dir, 'fehlt.xlsx')])).rejects.toBeInstanceOf(UsageError);
    } finally {
      resetTitleIndex();
      await database.close();
    }
  });
});
