import { serve } from '@hono/node-server';
import { createApp } from '../../api/app.ts';
import { closeSharedBrowser } from '../../crawlers/browser-provider.ts';
import { MatchService } from '../../matchers/match-service.ts';
import { createProcessors } from '../../queues/processors/registry.ts';
import { startRelays } from '../../queues/relays.ts';
import { startWorkers } from '../../queues/workers.ts';
import { isDemoSeeded, isEmpty, seedDemo } from '../../src/demo/seed.ts';
import { checkHealth } from '../../src/health.ts';
import { outboxHead } from '../../src/outbox/read-log.ts';
import { dbCursor, type IndexCursor, memoryCursor, rebuildIndex, syncIndex } from '../../src/search/index-sync.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { closeExpired } from '../../src/vacancies/ingest-batch.ts';
import { openCore, openRedis, openSearch } from '../container.ts';
import { sharedResources } from '../resources.ts';
import { internalCliRoutes, lockEmbeddedDatabase, publishService, withdrawService } from '../service-link.ts';
import type { Command } from './command.ts';
import { demoAccountsText } from './seed.ts';

const EXPIRY_SWEEP_MS = 10 * 60_000;
/** Requests still running get this long to answer before their connections are cut. */
const HTTP_DRAIN_MS = 10_000;

type HttpServer = import('node:http').Server;

/** Stops accepting, lets running requests answer (so no client loses the reply to a committed write), then cuts. */
function closeHttp(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), HTTP_DRAIN_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export const startCommand: Command = {
  name: 'start',
  summary: 'run the service (API and workers; --api or --worker for one of them)',
  help: [
    'Usage: jobbruecke start [--api | --worker]',
    '',
    'Without options, runs the HTTP API and all queue workers in one process (embedded mode).',
    '  --api      only the HTTP API (PORT, default 3000)',
    '  --worker   only the queue workers; any number of worker processes may share one Redis',
    '',
    'On an empty embedded database (no DATABASE_URL) the demo data are seeded first.',
    'While it runs, other jobbruecke commands on the same embedded database are executed by this process.',
    'SIGTERM or SIGINT shut down gracefully: HTTP stops, running jobs finish, then the database closes.',
  ].join('\n'),
  options: { api: { type: 'boolean' }, worker: { type: 'boolean' } },
  async run({ config, log, values, execute }) {
    const runApi = !values.worker || !!values.api;
    const runWorker = !values.api || !!values.worker;

    // Hooks run last-registered first: HTTP, workers, timers, then search, Redis and finally the database.
    const shutdownHooks: Array<() => Promise<void>> = [];
    const onShutdown = (hook: () => Promise<void> | void) => shutdownHooks.unshift(async () => hook());
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      for (const hook of shutdownHooks) {
        try {
          await hook();
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'error during shutdown');
        }
      }
      log.info('stopped');
      process.exit(0);
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));

    if (config.db.kind === 'pglite') onShutdown(lockEmbeddedDatabase(config.dataDir));
    const core = await openCore(config, log);
    const { ctx } = core;
    onShutdown(() => core.database.close());

    if (
      config.db.kind === 'pglite' &&
      config.demoData === 'auto' &&
      // Demo accounts have public tokens: never next to real data.
      config.env !== 'production' &&
      !(await isDemoSeeded(ctx)) &&
      (await isEmpty(ctx))
    ) {
      log.info('empty embedded database: seeding the demo city (one transaction, about half a minute)');
      await seedDemo(ctx, (step, count) => log.info({ step, count }, 'seeded'));
      console.log(demoAccountsText());
    }
    if (stopping) return -1;

    const redis = await openRedis(config, log);
    onShutdown(() => redis.close());

    // The embedded engine lives in this process and is rebuilt from the DB; Meilisearch keeps its own state.
    let search: SearchEngine | undefined;
    let cursor: IndexCursor | undefined;
    if (runApi || config.search.kind === 'meilisearch') {
      const engine = await openSearch(config);
      search = engine;
      onShutdown(() => engine.close());
      if (config.search.kind === 'embedded') {
        const head = await outboxHead(ctx);
        const started = Date.now();
        const count = await rebuildIndex(ctx, engine);
        log.info({ count, ms: Date.now() - started }, 'embedded search index built from the database');
        cursor = memoryCursor(head);
      } else {
        cursor = dbCursor(ctx);
      }
    }

    // One matcher per process, shared by the API and the match workers of this process.
    const matchStarted = Date.now();
    const matchService = await MatchService.load(ctx);
    log.info(
      { customers: matchService.customers.size, vacancies: matchService.vacancies.size, ms: Date.now() - matchStarted },
      'matcher indexes built from the database',
    );

    if (runWorker) {
      const processors = createProcessors({ config, ctx, queues: redis.queues, search, cursor, matchService, log });
      const workers = startWorkers({ redisUrl: redis.endpoint.url, prefix: redis.queues.prefix, processors, log });
      const relays = startRelays({ ctx, queues: redis.queues, log });
      const sweep = setInterval(
        () => void closeExpired(ctx).catch((err) => log.warn({ err: err.message }, 'closing expired vacancies failed')),
        EXPIRY_SWEEP_MS,
      );
      onShutdown(async () => {
        clearInterval(sweep);
        await relays.stop();
        await workers.close();
        await closeSharedBrowser();
      });
    }

    if (runApi && search) {
      const engine = search;
      // The embedded index lives here: follow the outbox even if the index jobs are taken by another process.
      if (config.search.kind === 'embedded' && cursor) {
        const follow = cursor;
        const timer = setInterval(
          () =>
            void syncIndex(ctx, engine, follow).catch((err) => log.warn({ err: err.message }, 'index follow failed')),
          1_000,
        );
        onShutdown(() => clearInterval(timer));
      }
      const app = createApp({
        ctx,
        search: engine,
        matchService,
        health: () =>
          checkHealth({
            db: { kind: core.database.kind, check: () => core.database.ping() },
            redis: {
              kind: redis.endpoint.privateServer ? 'redis (private)' : 'redis',
              check: async () => (await redis.producer.ping()) === 'PONG',
            },
            search: { kind: config.search.kind, check: () => engine.health() },
          }),
      });
      const server = serve({ fetch: app.fetch, port: config.http.port, hostname: config.http.host });
      await new Promise<void>((resolve, reject) => {
        server.once('listening', () => resolve());
        server.once('error', reject);
      });
      if (config.db.kind === 'pglite') {
        // Other CLI processes cannot open the embedded database now; they hand their commands to this process.
        const service = publishService(config.dataDir, { host: config.http.host, port: config.http.port });
        const resources = sharedResources(core, redis, engine, matchService);
        app.route(
          '/internal',
          internalCliRoutes(service.token, (args, io, operator) =>
            execute(args, { config, log, io, resources, operator }),
          ),
        );
      }
      onShutdown(() => closeHttp(server as unknown as HttpServer));
      // Runs first: new CLI commands run on their own again instead of being sent to a stopping service.
      if (config.db.kind === 'pglite') onShutdown(() => withdrawService(config.dataDir));
      log.info({ url: `http://${config.http.host}:${config.http.port}` }, 'API listening');
      console.log(`Jobbrücke läuft: http://${config.http.host}:${config.http.port}  (Health: /health)`);
    }
    return -1;
  },
};
