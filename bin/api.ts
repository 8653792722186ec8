/**
 * The API role of `jobbruecke start` (`--api`, or both roles by default): the HTTP server over the container's parts.
 * The embedded search index lives here, so this role follows the outbox for it. With the embedded database it also
 * runs the commands other CLI processes forward to it (bin/service-link.ts).
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.ts';
import { checkHealth } from '../src/health.ts';
import { type CommandInput, resourcesOf } from './commands/command.ts';
import type { Container } from './container.ts';
import { internalCliRoutes, publishService, withdrawService } from './service-link.ts';

/** Requests still running get this long to answer before their connections are cut. */
const HTTP_DRAIN_MS = 10_000;
/** The embedded index catches up this often, also when index jobs are taken by a worker process elsewhere. */
const INDEX_FOLLOW_MS = 1_000;

/** Stops accepting, lets running requests answer (so no client loses the reply to a committed write), then cuts. */
function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), HTTP_DRAIN_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export async function startApi(
  container: Container,
  { execute }: { execute: CommandInput['execute'] },
): Promise<{ stop(): Promise<void> }> {
  const { config, log } = container;
  const { ctx, database } = await container.core();
  const queues = await container.queues();
  const indexFollower = await container.indexFollower();
  const search = await container.search();
  const matchService = await container.matchService();

  let follow: NodeJS.Timeout | undefined;
  if (config.search.kind === 'embedded' && indexFollower) {
    follow = setInterval(
      () => void indexFollower.sync(ctx).catch((err) => log.warn({ err: err.message }, 'index follow failed')),
      INDEX_FOLLOW_MS,
    );
  }

  const app = createApp({
    ctx,
    search,
    matchService,
    health: () =>
      checkHealth({
        db: { kind: database.kind, check: () => database.ping() },
        queue: { kind: queues.backend.kind, check: () => queues.backend.ping() },
        search: { kind: config.search.kind, check: () => search.health() },
      }),
  });
  const server = serve({ fetch: app.fetch, port: config.http.port, hostname: config.http.host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const embedded = config.db.kind === 'pglite';
  if (embedded) {
    // Other CLI processes cannot open the embedded database now; they hand their commands to this process.
    const service = publishService(config.dataDir, { host: config.http.host, port: config.http.port });
    const resources = resourcesOf(container, true);
    app.route(
      '/internal',
      internalCliRoutes(service.token, (args, io, operator) => execute(args, { config, log, io, resources, operator })),
    );
  }
  log.info({ url: `http://${config.http.host}:${config.http.port}` }, 'API listening');
  console.log(`Jobbrücke läuft: http://${config.http.host}:${config.http.port}  (Health: /health)`);

  return {
    async stop() {
      // First, so new CLI commands run on their own again instead of being sent to a stopping service.
      if (embedded) withdrawService(config.dataDir);
      await closeHttp(server);
      clearInterval(follow);
    },
  };
}
