/**
 * The composition root: builds every dependency from the configuration, each part on first use, and closes what it
 * opened. The service (`start`, through bin/api.ts and bin/worker.ts) and every CLI command get their parts here.
 * It lives outside src/ because it wires all layers (api, queues, crawlers, matchers) together, and src/ must not
 * import them. Each part imports its modules when it opens: a command that needs only the database never loads the
 * queues, search or matchers (that would cost seconds at every start of the CLI).
 */
import type { MatchService } from '../matchers/service/match-service.ts';
import type { Queues } from '../queues/queues.ts';
import type { ProcessorRegistry } from '../queues/workers.ts';
import type { Config } from '../src/config.ts';
import type { Ctx } from '../src/context.ts';
import type { Database } from '../src/db/client.ts';
import type { Logger } from '../src/logging.ts';
import type { MailTransport } from '../src/notifications/transport.ts';
import type { OutboxFollower } from '../src/outbox/follow.ts';
import type { SearchEngine } from '../src/search/search-engine.ts';
import { lockEmbeddedDatabase } from './service-link.ts';

export interface Core {
  database: Database;
  ctx: Ctx;
}

export interface ContainerOptions {
  /**
   * This process serves the HTTP API. The embedded search index lives in the API's memory, so only such a process
   * keeps one; with Meilisearch every process may follow the shared index.
   * @defaultValue false
   */
  api?: boolean;
}

export interface Container {
  config: Config;
  log: Logger;
  /** The database, migrated; the embedded one is locked for this process first (see bin/service-link.ts). */
  core(): Promise<Core>;
  /** The queues on the configured backend (queues/backend.ts); the embedded one lives in the database. */
  queues(): Promise<Queues>;
  search(): Promise<SearchEngine>;
  /**
   * The process's one follower of the index topic. The embedded index is built from the database first. Undefined
   * where the process keeps no index: embedded engine, no API.
   */
  indexFollower(): Promise<OutboxFollower | undefined>;
  /**
   * The matcher's indexes: one per process, shared by the API and the match workers. Vacancies are loaded from their
   * snapshot in the data directory when it fits the database, else everything is read from the database.
   */
  matchService(): Promise<MatchService>;
  /** The SMTP transport when `SMTP_URL` is set, else undefined: notifications then stay in the in-app inbox. */
  mail(): Promise<MailTransport | undefined>;
  processors(): Promise<ProcessorRegistry>;
  /**
   * Closes what is open: search, queues, mail, then the database. Parts still opening are left to the process exit.
   */
  close(): Promise<void>;
}

/** A part opened on first use. `value` is set once it is open, so closing never waits for a part still opening. */
function lazily<T>(open: () => Promise<T>): { get(): Promise<T>; value: T | undefined } {
  let opening: Promise<T> | undefined;
  const part = {
    value: undefined as T | undefined,
    get: () =>
      (opening ??= open().then((value) => {
        part.value = value;
        return value;
      })),
  };
  return part;
}

export function createContainer(config: Config, log: Logger, { api = false }: ContainerOptions = {}): Container {
  let unlock: (() => void) | undefined;

  const core = lazily(async () => {
    if (config.db.kind === 'pglite') unlock = lockEmbeddedDatabase(config.dataDir);
    const { openDatabase } = await import('../src/db/client.ts');
    // The title index's modules load while the embedded database starts up.
    const [database, { refreshTitleIndex }] = await Promise.all([
      openDatabase(config.db),
      import('../src/taxonomy/title-store.ts'),
    ]);
    await database.migrate();
    log.debug({ db: database.kind }, 'database ready, migrations applied');
    const ctx = { db: database.db, log, now: () => new Date(), slaRules: config.sla };
    // Every path that codes titles (ingest, employer orders, coding review) then uses the imported BA title index.
    await refreshTitleIndex(ctx);
    return { database, ctx };
  });

  const queues = lazily(async () => {
    // The embedded backend lives in the database; the Redis backend reads its installation id (its key prefix) there.
    const database = config.queue.kind === 'postgres' ? undefined : (await core.get()).database;
    const [{ openQueueBackend }, { createQueues }] = await Promise.all([
      import('../queues/backend.ts'),
      import('../queues/queues.ts'),
    ]);
    const backend = await openQueueBackend(config.queue, { database, log });
    return createQueues(backend, log);
  });

  const search = lazily(async () => {
    const { createSearchEngine } = await import('../src/search/factory.ts');
    const engine = createSearchEngine(config.search, log);
    await engine.init();
    return engine;
  });

  const indexFollower = lazily(async () => {
    if (config.search.kind === 'embedded' && !api) return undefined;
    const { ctx } = await core.get();
    // The embedded index is loaded from its snapshot in the data directory, or rebuilt (src/search/index-start.ts).
    const { openIndexFollower } = await import('../src/search/index-start.ts');
    return openIndexFollower(ctx, await search.get(), { kind: config.search.kind, dataDir: config.dataDir, log });
  });

  const matcher = lazily(async () => {
    const { ctx } = await core.get();
    // Vacancies from the snapshot in the data directory, or everything from the DB (matchers/service/match-start.ts).
    const { openMatchService } = await import('../matchers/service/match-start.ts');
    return openMatchService(ctx, { dataDir: config.dataDir, log });
  });
  const matchService = { get: async () => (await matcher.get()).service };

  // nodemailer connects per message, so building the transport opens nothing yet.
  const mail = lazily(async () =>
    config.smtp ? (await import('../src/notifications/smtp.ts')).smtpTransport(config.smtp) : undefined,
  );

  const processors = lazily(async () => {
    const { ctx } = await core.get();
    const { createProcessors } = await import('../queues/processors/registry.ts');
    return createProcessors({
      config,
      ctx,
      queues: await queues.get(),
      indexFollower: await indexFollower.get(),
      matchService: await matchService.get(),
      mail: await mail.get(),
      log,
    });
  });

  return {
    config,
    log,
    core: core.get,
    queues: queues.get,
    search: search.get,
    indexFollower: indexFollower.get,
    matchService: matchService.get,
    mail: mail.get,
    processors: processors.get,
    async close() {
      const steps: Array<[string, () => Promise<void> | undefined]> = [
        // Before the database closes: the snapshots record where in the outbox the indexes stand.
        ['search snapshot', () => indexFollower.value?.close()],
        ['match snapshot', () => matcher.value?.close()],
        ['search', () => search.value?.close()],
        ['queues', () => closeQueues(queues.value)],
        ['mail', () => mail.value?.close?.()],
        ['database', () => core.value?.database.close()],
      ];
      for (const [part, close] of steps) {
        try {
          await close();
        } catch (err) {
          log.warn({ part, err: (err as Error).message }, 'error while closing');
        }
      }
      unlock?.();
    },
  };
}

async function closeQueues(queues: Queues | undefined): Promise<void> {
  await queues?.close();
  await queues?.backend.close();
}
