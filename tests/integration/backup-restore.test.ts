/**
 * Backups (issue 15, point 3). Embedded: a backup taken while ingest runs and the service answers searches holds
 * the database exactly as it was at one moment, a restore into an empty directory gives that database back, and the
 * service started on it finishes the staged work: every batch processed, the search index equal to the open
 * vacancies, match lists rebuilt, the same as the original ends up with. Damaged, truncated and foreign files and a
 * non-empty target are refused with one line, and nothing is written. PostgreSQL: a `pg_dump` restored next to an
 * empty Redis loses nothing, because the relays re-derive every job from the database.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi } from '../../bin/api.ts';
import { backupCommand, restoreCommand } from '../../bin/commands/backup.ts';
import { type Container, createContainer } from '../../bin/container.ts';
import { executeCommand } from '../../bin/execute-command.ts';
import { startWorker } from '../../bin/worker.ts';
import { slaRelayOnce } from '../../queues/relays.ts';
import { HEADER_BYTES } from '../../src/backup/manifest.ts';
import { inspectBackup, restoreBackup } from '../../src/backup/restore-backup.ts';
import { writeBackup } from '../../src/backup/write-backup.ts';
import { loadConfig } from '../../src/config.ts';
import { type Database, type Db, openPglite } from '../../src/db/client.ts';
import { appMeta, ingestBatches, matches, outbox, sources, vacancies, vacancySources } from '../../src/db/schema.ts';
import type { RawPostingInput } from '../../src/domain/posting.ts';
import { installationId } from '../../src/installation.ts';
import { createLogger } from '../../src/logging.ts';
import { pendingMilestones } from '../../src/sla/milestones.ts';
import { openFreshPostgres } from '../helpers/databases.ts';
import { employerWorld, MINIMAL_ORDER } from '../helpers/employer-world.ts';
import { runInProcess } from '../helpers/in-process-command.ts';
import { freePort } from '../helpers/ports.ts';
import { startRedisServer } from '../helpers/redis-server.ts';

const log = createLogger('silent');
const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `jobbruecke-backup-${name}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** Rows and an MD5 of the rows' text, ordered, for every table in every schema of ours (data and queues). */
async function tableChecksums(db: Db): Promise<Record<string, string>> {
  const tables = await rows<{ schema: string; table: string }>(
    db,
    sql`select n.nspname as schema, c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
          and n.nspname not like 'pg\\_%' order by 1, 2`,
  );
  const sums: Record<string, string> = {};
  for (const { schema, table } of tables) {
    const [row] = await rows<{ n: string | number; sum: string }>(
      db,
      sql.raw(
        `select count(*) as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum from "${schema}"."${table}" t`,
      ),
    );
    sums[`${schema}.${table}`] = `${row?.n}:${row?.sum}`;
  }
  return sums;
}

const OCCUPATIONS = ['Koch', 'Fachkraft für Lagerlogistik', 'Verkäufer', 'Pflegefachkraft', 'Elektroniker'];
const PLACES = [
  { plz: '70173', city: 'Stuttgart' },
  { plz: '70174', city: 'Stuttgart' },
  { plz: '73728', city: 'Esslingen am Neckar' },
];

/** Obviously synthetic postings, unique by external id. */
function postings(batch: number, count: number): RawPostingInput[] {
  return Array.from({ length: count }, (_, i) => {
    const n = batch * count + i;
    const place = PLACES[n % PLACES.length]!;
    return {
      externalId: `backup-test-${n}`,
      title: `${OCCUPATIONS[n % OCCUPATIONS.length]} (m/w/d) Nr. ${n}`,
      description: `Synthetische Teststelle ${n} in ${place.city}, Vollzeit, unbefristet.`,
      employerName: `Beispiel Testfirma ${n % 40} GmbH`,
      locations: [place],
      employmentTypes: ['Vollzeit'],
    };
  });
}

/** What the service made of the postings, by external id: comparable across databases whose new ids differ. */
async function outcome(db: Db) {
  const vacancyRows = await rows<{ external_id: string; title: string; status: string; kldb_code: string | null }>(
    db,
    sql`select vs.external_id, v.title, v.status, v.kldb_code from vacancy_sources vs
        join vacancies v on v.id = vs.vacancy_id order by vs.external_id`,
  );
  const lists = await db
    .select({ externalId: vacancySources.externalId, results: matches.results })
    .from(matches)
    .innerJoin(vacancySources, eq(vacancySources.vacancyId, matches.subjectId))
    .where(eq(matches.subjectType, 'vacancy'))
    .orderBy(vacancySources.externalId);
  return {
    vacancies: vacancyRows,
    matchLists: lists.map((l) => ({
      externalId: l.externalId,
      ranking: (l.results as Array<{ customerId: string; score: number }>).map((r) => [r.customerId, r.score]),
    })),
  };
}

/** Done: every staged batch ingested, every match row re-ranked, the index caught up with the outbox. */
async function drained(db: Db): Promise<boolean> {
  const pendingBatches = await db.$count(ingestBatches, isNull(ingestBatches.processedAt));
  const pendingMatches = await db.$count(outbox, and(eq(outbox.topic, 'match'), isNull(outbox.processedAt)));
  return pendingBatches === 0 && pendingMatches === 0;
}

const KIOSK_QUERIES = ['q=koch', 'q=lager&plz=70173&radius_km=25', 'q=pflege&sort=date', 'working_time=vollzeit'];

/**
 * Totals, facets and, where every hit fits on one page, the titles: vacancies ingested after the backup's moment
 * were first seen at other times here and there, and the time breaks ties between equally relevant hits.
 */
async function kioskAnswers(baseUrl: string) {
  const answers: Record<string, unknown> = {};
  for (const q of KIOSK_QUERIES) {
    const body = (await (await fetch(`${baseUrl}/api/v1/vacancies?${q}&per_page=100`)).json()) as {
      total: number;
      facets: unknown;
      hits: Array<{ title: string }>;
    };
    const titles = body.total <= body.hits.length ? body.hits.map((h) => h.title).sort() : undefined;
    answers[q] = { total: body.total, facets: body.facets, titles };
  }
  return answers;
}

/**
 * The status of a GET on a connection of its own. The service runs in this process: while its database work holds
 * the event loop, a kept-alive connection can pass its idle timeout and be closed under the next request.
 */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/** The service on a data directory, in this process: workers, relays and the HTTP API. */
async function startServiceIn(dataDir: string) {
  const port = await freePort();
  // The test's searches come from a kiosk PC: the public budget would refuse some of them.
  const config = loadConfig({ DATA_DIR: dataDir, DEMO_DATA: 'off', PORT: String(port), KIOSK_NETWORKS: '127.0.0.1' });
  const container = createContainer(config, log, { api: true });
  const worker = await startWorker(container);
  const api = await startApi(container, { execute: executeCommand });
  return {
    config,
    container,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await api.stop();
      await worker.stop();
      await container.close();
    },
  };
}

describe('embedded backup and restore', () => {
  /** Staged before the start, so ingest is busy when the backup is taken… */
  const EARLY_BATCHES = 8;
  /** …and staged just before it, more than ingest can take in the moment the backup waits for its turn. */
  const LATE_BATCHES = 40;
  const BATCHES = EARLY_BATCHES + LATE_BATCHES;
  const PER_BATCH = 10;

  it('restores a backup taken during ingest, while the service serves, to the database of that moment, and the restored service finishes its work', {
    timeout: 900_000,
  }, async () => {
    const sourceDir = tempDir('source');
    const file = join(tempDir('files'), 'live.jbk');
    // The original: a small synthetic job centre, batches staged for ingest, two employer orders with SLA clocks.
    let original: Awaited<ReturnType<typeof startServiceIn>> | undefined;
    const bootstrap = createContainer(loadConfig({ DATA_DIR: sourceDir, DEMO_DATA: 'off' }), log);
    const { database } = await bootstrap.core();
    const world = await employerWorld(database, new Date());
    await world.search.close();
    const [source] = await database.db
      .insert(sources)
      .values({
        name: 'Testbörse (Backup)',
        type: 'feed',
        url: 'http://127.0.0.1:9/feed.rss',
        legalBasis: 'test fixture',
        enabled: false,
      })
      .returning({ id: sources.id });
    for (let b = 0; b < EARLY_BATCHES; b++) {
      await database.db.insert(ingestBatches).values({ sourceId: source!.id, postings: postings(b, PER_BATCH) });
    }
    await bootstrap.close();

    let atBackup: { tables: Record<string, string>; pendingBatches: number } | undefined;
    let finalOriginal: Awaited<ReturnType<typeof outcome>>;
    let originalAnswers: Record<string, unknown>;
    try {
      original = await startServiceIn(sourceDir);
      const service = original;
      for (const key of ['bestellung-backup-1', 'bestellung-backup-2']) {
        const res = await fetch(`${service.baseUrl}/api/v1/employer/vacancies`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${world.tokens.employerA}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(MINIMAL_ORDER),
        });
        expect(res.status).toBe(201);
      }
      const { database: live } = await service.container.core();
      await until(
        'the first batches to be ingested',
        async () => (await live.db.$count(ingestBatches, sql`${ingestBatches.processedAt} is not null`)) >= 3,
        300_000,
      );

      await live.db.insert(ingestBatches).values(
        Array.from({ length: LATE_BATCHES }, (_, i) => ({
          sourceId: source!.id,
          postings: postings(EARLY_BATCHES + i, PER_BATCH),
        })),
      );
      // Kiosk searches keep coming while the backup is taken, and are answered while it runs.
      let backupRunning = true;
      const answeredDuring: number[] = [];
      const searches = (async () => {
        while (backupRunning) {
          const status = await statusOf(`${service.baseUrl}/api/v1/vacancies?q=koch`);
          if (backupRunning) answeredDuring.push(status);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const written = await writeBackup({
        db: live.db,
        pglite: live.pglite!,
        databaseDir: service.config.db.kind === 'pglite' ? service.config.db.dir : '',
        file,
        atSnapshot: async (tx) => {
          atBackup = {
            tables: await tableChecksums(tx),
            pendingBatches: await tx.$count(ingestBatches, isNull(ingestBatches.processedAt)),
          };
        },
      });
      backupRunning = false;
      await searches;
      expect(answeredDuring.filter((status) => status === 200).length).toBeGreaterThan(0);
      // A request may also time out (408) when the loaded machine stalls this process, which serves and tests at
      // once; an error of the service would be a 5xx.
      expect(answeredDuring.filter((status) => status >= 500)).toEqual([]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // Taken in the middle of ingest: batches were waiting, and the record says what the backup holds.
      expect(atBackup!.pendingBatches).toBeGreaterThan(0);
      expect(atBackup!.pendingBatches).toBeLessThan(BATCHES);
      expect(written.manifest.database.tables['public.ingest_batches']).toBe(BATCHES);
      expect(written.manifest.database.tables['public.sla_clocks']).toBe(2);

      await until('the original to finish its work', () => drained(live.db), 400_000);
      finalOriginal = await outcome(live.db);
      originalAnswers = await kioskAnswers(service.baseUrl);
    } finally {
      await original?.stop();
    }
    expect(finalOriginal.matchLists.filter((l) => l.ranking.length > 0).length).toBeGreaterThan(0);
    expect(finalOriginal.vacancies.filter((v) => v.external_id.startsWith('backup-test-'))).toHaveLength(
      BATCHES * PER_BATCH,
    );

    // Restored into an empty directory, the database is the one of the backup's moment, table by table.
    const restoredDir = tempDir('restored');
    const restored = await restoreBackup({ file, manifest: await inspectBackup(file), dataDir: restoredDir });
    expect(readdirSync(restoredDir)).toEqual(['db']);
    const check = await openPglite(restored.databaseDir);
    try {
      expect(await tableChecksums(check.db)).toEqual(atBackup!.tables);
    } finally {
      await check.close();
    }

    // Started, it processes the batches that were waiting and ends where the original ended.
    const copy = await startServiceIn(restoredDir);
    try {
      const { database: db, ctx } = await copy.container.core();
      await until('the restored service to finish the staged work', () => drained(db.db), 400_000);
      const search = await copy.container.search();
      await (await copy.container.indexFollower())?.sync(ctx);
      expect(await outcome(db.db)).toEqual(finalOriginal);
      // The index holds exactly the open vacancies.
      const all = await db.db.select({ id: vacancies.id, status: vacancies.status }).from(vacancies);
      const open = all.filter((v) => v.status === 'open');
      expect(await search.count()).toBe(open.length);
      for (const v of all) expect((await search.get(v.id)) !== undefined).toBe(v.status === 'open');
      expect(await kioskAnswers(copy.baseUrl)).toEqual(originalAnswers);
    } finally {
      await copy.stop();
    }
  });
});

describe('refusals', () => {
  let file: string;
  let dataDir: string;
  let database: Database;

  beforeAll(async () => {
    dataDir = tempDir('small');
    file = join(tempDir('small-files'), 'small.jbk');
    database = await openPglite(join(dataDir, 'db'));
    await database.migrate();
    await database.db.insert(appMeta).values({ key: 'backup_test', value: 'synthetisch' });
    await writeBackup({ db: database.db, pglite: database.pglite!, databaseDir: join(dataDir, 'db'), file });
  });
  afterAll(() => database?.close());

  const filesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

  /** Runs `restore` on a copy of the backup changed by `damage`, into a fresh target; returns its lines. */
  async function restoreDamaged(damage: (copy: string) => void, args: string[] = []) {
    const copy = join(tempDir('damaged'), 'copy.jbk');
    writeFileSync(copy, readFileSync(file));
    damage(copy);
    const target = join(tempDir('target'), 'data');
    const result = await runInProcess(restoreCommand, [copy, '--data-dir', target, ...args], {
      ctx: { log } as never,
      database: undefined as never,
    });
    return { ...result, target };
  }

  type Manifest = { database: { migration: { latest: string }; tables: Record<string, number> } };
  const rewriteManifest = (change: (manifest: Manifest) => void) => (copy: string) => {
    const bytes = readFileSync(copy);
    const text = bytes.subarray(0, HEADER_BYTES).toString('utf8');
    const [first, json] = text.split('\n');
    const manifest = JSON.parse(json!);
    change(manifest);
    const header = Buffer.alloc(HEADER_BYTES, ' ');
    header.write(`${first}\n${JSON.stringify(manifest)}\n`);
    header.write('\n', HEADER_BYTES - 1);
    writeFileSync(copy, Buffer.concat([header, bytes.subarray(HEADER_BYTES)]));
  };

  it.each([
    ['a truncated file', (f: string) => truncateSync(f, statSync(f).size - 1000), /is truncated: \d+ of \d+ bytes/],
    [
      'a file with a changed byte',
      (f: string) => {
        const bytes = readFileSync(f);
        bytes[HEADER_BYTES + 5000] = (bytes[HEADER_BYTES + 5000]! + 1) % 256;
        writeFileSync(f, bytes);
      },
      /is damaged: its content does not match the checksum/,
    ],
    [
      'a file that is no backup',
      (f: string) => writeFileSync(f, 'PGDMP\u0001\u000e\u0000 something else'),
      /is not a Jobbrücke backup/,
    ],
    ['an empty file', (f: string) => writeFileSync(f, ''), /is not a Jobbrücke backup/],
    [
      'a backup of a later format',
      (f: string) => {
        const bytes = readFileSync(f);
        bytes.write('jobbruecke-backup 2', 0);
        writeFileSync(f, bytes);
      },
      /has backup format 2; this version of Jobbrücke reads format 1/,
    ],
    [
      'a damaged header',
      (f: string) => {
        const bytes = readFileSync(f);
        bytes.write('{{', 20);
        writeFileSync(f, bytes);
      },
      /is damaged: its header is unreadable/,
    ],
    [
      'a backup of a newer Jobbrücke',
      rewriteManifest((m) => {
        m.database.migration.latest = '0099_from_the_future';
      }),
      /was written by a newer version of Jobbrücke \(database migration 0099_from_the_future/,
    ],
    [
      'a backup whose database does not match its record',
      rewriteManifest((m) => {
        m.database.tables['public.app_meta'] = (m.database.tables['public.app_meta'] ?? 0) + 1;
      }),
      /does not match its manifest: table public.app_meta: \d+ rows, expected \d+/,
    ],
  ])('refuses %s with one line and writes nothing', async (_what, damage, message) => {
    const { code, err, out, target } = await restoreDamaged(damage);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a target that is not empty, and leaves it as it was', async () => {
    const target = tempDir('occupied');
    writeFileSync(join(target, 'notizen.txt'), 'synthetisch');
    const result = await runInProcess(restoreCommand, [file, '--data-dir', target], {
      ctx: { log } as never,
      database: undefined as never,
    });
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      `Error: ${target} is not empty (notizen.txt); restore only into an empty data directory.`,
    ]);
    expect(filesIn(target)).toEqual(['notizen.txt']);
  });

  it('restores into an existing empty directory, with a new installation id when asked', async () => {
    const target = tempDir('empty');
    const before = await inspectBackup(file);
    const result = await runInProcess(restoreCommand, [file, '--data-dir', target, '--new-installation'], {
      ctx: { log } as never,
      database: undefined as never,
    });
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(filesIn(target)).toEqual(['db']);
    const restored = await openPglite(join(target, 'db'));
    try {
      const [id] = await restored.db.select().from(appMeta).where(eq(appMeta.key, 'installation_id'));
      expect(id?.value).toMatch(/^[0-9a-f]{12}$/);
      expect(id?.value).not.toBe(before.database.installationId);
      expect(result.out.join('\n')).toContain(
        `New installation id ${id?.value} (was ${before.database.installationId})`,
      );
      const [row] = await restored.db.select().from(appMeta).where(eq(appMeta.key, 'backup_test'));
      expect(row?.value).toBe('synthetisch');
    } finally {
      await restored.close();
    }
  });

  it('never overwrites a file, and a backup that fails leaves no file and no staging copy behind', async () => {
    const existing = await runInProcess(backupCommand, [file], {
      ctx: { log } as never,
      database,
      config: { db: { kind: 'pglite', dir: join(dataDir, 'db') }, dataDir },
    });
    expect(existing.code).toBe(1);
    expect(existing.err).toEqual([`Error: ${file} exists; a backup never overwrites a file. Choose a new name.`]);

    const target = tempDir('failed');
    await expect(
      writeBackup({
        db: database.db,
        pglite: database.pglite!,
        databaseDir: join(dataDir, 'db'),
        file: join(target, 'failed.jbk'),
        atSnapshot: async () => {
          throw new Error('disk full (simulated)');
        },
      }),
    ).rejects.toThrow('disk full (simulated)');
    expect(filesIn(target)).toEqual([]);
    expect(filesIn(dataDir)).toEqual(['db']);
  });

  it('asks for an absolute path inside the running service, and points to pg_dump with PostgreSQL', async () => {
    const relative = await runInProcess(backupCommand, ['relative.jbk'], {
      ctx: { log } as never,
      database,
      config: { db: { kind: 'pglite', dir: join(dataDir, 'db') }, dataDir },
      resources: { shared: true },
    }).catch((err: Error) => ({ code: -2, err: [err.message], out: [] }));
    expect(relative.err.join('\n')).toContain('give FILE as an absolute path');

    const postgres = await runInProcess(backupCommand, ['/tmp/never-written.jbk'], {
      ctx: { log } as never,
      database,
      config: { db: { kind: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none' } },
    });
    expect(postgres.code).toBe(2);
    expect(postgres.err).toHaveLength(1);
    expect(postgres.err[0]).toContain('pg_dump -Fc');
    expect(existsSync('/tmp/never-written.jbk')).toBe(false);
  });
});

const postgresUrl = inject('postgresUrl');
const pgDump = (() => {
  try {
    execFileSync('pg_dump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!postgresUrl || !pgDump)('PostgreSQL: pg_dump, pg_restore and an empty Redis', () => {
  it('loses nothing: the relays re-derive every ingest, match, crawl, periodic and SLA job from the restored database', {
    timeout: 600_000,
  }, async () => {
    const dir = tempDir('postgres');
    const { database: original, url: originalUrl } = await openFreshPostgres(postgresUrl!);
    let restoredDb: Database | undefined;
    let container: Container | undefined;
    const redis = await startRedisServer({ dir: join(dir, 'redis') });
    try {
      await original.migrate();
      const world = await employerWorld(original, new Date());
      await world.search.close();
      for (const key of ['pg-bestellung-1', 'pg-bestellung-2']) {
        const res = await world.call('employerA', 'POST', '/api/v1/employer/vacancies', MINIMAL_ORDER, {
          'idempotency-key': key,
        });
        expect(res.status).toBe(201);
      }
      const [crawled] = await original.db
        .insert(sources)
        .values({
          name: 'Testbörse (Backup PG)',
          type: 'feed',
          url: 'http://127.0.0.1:9/feed.rss',
          legalBasis: 'test fixture',
          everyMinutes: 1440,
        })
        .returning({ id: sources.id });
      for (let b = 0; b < 6; b++) {
        await original.db.insert(ingestBatches).values({ sourceId: crawled!.id, postings: postings(100 + b, 10) });
      }
      const id = await installationId(original.db);
      const before = await tableChecksums(original.db);
      expect(
        await original.db.$count(outbox, and(eq(outbox.topic, 'match'), isNull(outbox.processedAt))),
      ).toBeGreaterThan(0);

      // The documented commands: a custom-format dump, restored into a new, empty database.
      const dump = join(dir, 'jobbruecke.dump');
      execFileSync('pg_dump', ['-Fc', '-f', dump, '-d', originalUrl]);
      const { database: target, url: restoredUrl } = await openFreshPostgres(postgresUrl!);
      restoredDb = target;
      execFileSync('pg_restore', ['--no-owner', '-d', restoredUrl, dump]);
      expect(await tableChecksums(target.db)).toEqual(before);

      // The service on the restored database and a Redis that has never seen this installation.
      const config = loadConfig({ DATABASE_URL: restoredUrl, REDIS_URL: redis.url, DATA_DIR: join(dir, 'data') });
      container = createContainer(config, log);
      const worker = await startWorker(container);
      try {
        const { ctx } = await container.core();
        const queues = await container.queues();
        // The same installation, so the same Redis key prefix.
        expect(queues.backend.prefix).toBe(`jobbruecke:${id}`);
        await until('every staged batch and match row to be processed', () => drained(target.db), 300_000);
        expect(await target.db.$count(vacancySources, sql`${vacancySources.externalId} like 'backup-test-%'`)).toBe(60);
        const schedulers = async (queue: keyof typeof queues.byName) =>
          (await queues.byName[queue].getJobSchedulers()).map((s) => s.key);
        await until(
          'the schedulers to be re-applied',
          async () => (await schedulers('crawl')).includes(`source_${crawled!.id}`),
          60_000,
        );
        expect(await schedulers('sla')).toEqual(
          expect.arrayContaining(['reaction-reminders', 'purge-idempotency-keys']),
        );
        // Every pending SLA milestone armed from the database alone (a horizon past the last one).
        const pending = await pendingMilestones(ctx);
        expect(pending.length).toBeGreaterThan(0);
        await slaRelayOnce(ctx, queues, { horizonMs: 7 * 24 * 3600_000 });
        for (const m of pending) {
          const job = await queues.byName.sla.getJob(`sla_${m.vacancyId}_${m.kind}`);
          expect(await job?.getState()).toBe('delayed');
        }
      } finally {
        await worker.stop();
      }
    } finally {
      await container?.close();
      await restoredDb?.close();
      await original.close();
      await redis.stop();
    }
  });
});
