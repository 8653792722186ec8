import { serve } from '@hono/node-server';
import { createApp } from '../../api/app.ts';
import { createProcessors } from '../../queues/processors/registry.ts';
import { startWorkers, type Workers } from '../../queues/workers.ts';
import { startRelays } from '../../queues/relays.ts';
import { isDemoSeeded, isEmpty, seedDemo } from '../../src/demo/seed.ts';
import { checkHealth } from '../../src/health.ts';
import { dbCursor, type IndexCursor, memoryCursor, outboxHead, rebuildIndex, syncIndex } from '../../src/search/index-sync.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { openCore, openRedis, openSearch } from '../container.ts';
import type { Command } from './command.ts';
import { demoAccountsText } from './seed.ts';

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
    'SIGTERM or SIGINT shut down gracefully: HTTP stops, running jobs finish, then the database closes.',
  ].join('\n'),
  options: { api: { type: 'boolean' }, worker: { type: 'boolean' } },
  async run({ config, log, values }) {
    const runApi = !values.worker || !!values.api;
    const runWorker = !values.api || !!values.worker;
    const core = await openCore(config, log);
    const { ctx } = core;

    const shutdownHooks: Array<() => Promise<void>> = [() => core.database.close()];
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

    if (config.db.kind === 'pglite' && !(await isDemoSeeded(ctx)) && (await isEmpty(ctx))) {
      log.info('empty embedded database: seeding the demo city (one transaction, about half a minute)');
      await seedDemo(ctx, (step, count) => log.info({ step, count }, 'seeded'));
      console.log(demoAccountsText());
    }
    if (stopping) return -1;

    const redis = await openRedis(config, log);
    shutdownHooks.unshift(() => redis.close());

    // The embedded engine lives in this process and is rebuilt from the DB; Meilisearch keeps its own state.
    let search: SearchEngine | undefined;
    let cursor: IndexCursor | undefined;
    if (runApi || config.search.kind === 'meilisearch') {
      search = await openSearch(config);
      shutdownHooks.splice(shutdownHooks.length - 1, 0, () => search!.close());
      if (config.search.kind === 'embedded') {
        const head = await outboxHead(ctx);
        const started = Date.now();
        const count = await rebuildIndex(ctx, search);
        log.info({ count, ms: Date.now() - started }, 'embedded search index built from the database');
        cursor = memoryCursor(head);
      } else {
        cursor = dbCursor(ctx);
      }
    }

    let workers: Workers | undefined;
    if (runWorker) {
      const processors = createProcessors({ config, ctx, queues: redis.queues, search, cursor, log });
      workers = startWorkers({ redisUrl: redis.endpoint.url, prefix: redis.queues.prefix, processors, log });
      const relays = startRelays({ ctx, queues: redis.queues, log });
      shutdownHooks.unshift(async () => {
        relays.stop();
        await workers?.close();
      });
    }

    if (runApi && search) {
      const engine = search;
      // An API process without workers still follows the outbox for its own in-process index.
      if (config.search.kind === 'embedded' && !runWorker && cursor) {
        const follow = cursor;
        const timer = setInterval(() => void syncIndex(ctx, engine, follow).catch((err) => log.warn({ err: err.message }, 'index follow failed')), 1_000);
        shutdownHooks.unshift(async () => clearInterval(timer));
      }
      const app = createApp({
        ctx,
        search: engine,
        health: () =>
          checkHealth({
            db: { kind: core.database.kind, check: () => core.database.ping() },
            redis: { kind: redis.endpoint.privateServer ? 'redis (private)' : 'redis', check: async () => (await redis.producer.ping()) === 'PONG' },
            search: { kind: config.search.kind, check: () => engine.health() },
          }),
      });
      const server = serve({ fetch: app.fetch, port: config.http.port, hostname: config.http.host });
      shutdownHooks.unshift(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            // Keep-alive connections would hold close() open; the API is stateless, so cut them.
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      );
      log.info({ url: `http://${config.http.host}:${config.http.port}` }, 'API listening');
      console.log(`Jobbrücke läuft: http://${config.http.host}:${config.http.port}  (Health: /health)`);
    }
    return -1;
  },
};
