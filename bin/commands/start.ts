import { checkQueueDurability, UnsafeRedis } from '../../queues/redis-durability.ts';
import { isDemoSeeded, isEmpty, seedDemo } from '../../src/demo/seed.ts';
import { startApi } from '../api.ts';
import { type Container, createContainer } from '../container.ts';
import { startWorker } from '../worker.ts';
import type { Command } from './command.ts';
import { demoAccountsText } from './seed.ts';
import { startUsage } from './usage.ts';

/**
 * The whole shutdown, from the signal to the exit, inside the 30 s a service manager usually allows before SIGKILL.
 * Whatever still hangs then (a queue backend or database that never answers) is given up: exit code 1.
 */
export const SHUTDOWN_DEADLINE_MS = 20_000;
/** Of the deadline, what closing the container after the workers' drain may take (search snapshot, database). */
const CLOSE_RESERVE_MS = 4_000;

/** The demo city goes into an empty embedded database, never next to real data: its accounts have public tokens. */
async function seedDemoIfEmpty({ config, log, core }: Container): Promise<void> {
  if (config.db.kind !== 'pglite' || config.demoData !== 'auto' || config.env === 'production') return;
  const { ctx } = await core();
  if ((await isDemoSeeded(ctx)) || !(await isEmpty(ctx))) return;
  log.info('empty embedded database: seeding the demo city (one transaction, about half a minute)');
  await seedDemo(ctx, (step, count) => log.info({ step, count }, 'seeded'));
  console.log(demoAccountsText());
}

export const startCommand: Command = {
  ...startUsage,
  async run({ config, log, io, values, execute }) {
    const runApi = !values.worker || !!values.api;
    const runWorker = !values.api || !!values.worker;
    const container = createContainer(config, log, { api: runApi });

    // Stopped last-started first: the API (HTTP drains), then the workers (jobs drain); the container closes last.
    // A role's `drainUntil` is the time by which it must have let go, so that closing still fits the deadline.
    const roles: Array<{ name: string; stop(drainUntil: number): Promise<void> }> = [];
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      const started = Date.now();
      setTimeout(() => {
        log.error(
          { signal, deadlineMs: SHUTDOWN_DEADLINE_MS },
          `shutdown did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s: exiting with code 1`,
        );
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
      log.info({ signal }, 'shutting down');
      const drainUntil = started + SHUTDOWN_DEADLINE_MS - CLOSE_RESERVE_MS;
      for (const role of roles.reverse()) {
        const roleStarted = Date.now();
        await role.stop(drainUntil).catch((err) => log.warn({ err: (err as Error).message }, 'error during shutdown'));
        log.debug({ role: role.name, ms: Date.now() - roleStarted }, 'role stopped');
      }
      await container.close();
      log.info({ ms: Date.now() - started }, 'stopped');
      process.exit(0);
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));

    // With the embedded database and queues, start-up is one long chain of promises that never waits for I/O, so a
    // signal would only be handled once the HTTP server listens. Between the steps, a pending signal is let in.
    const signalled = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return stopping;
    };
    try {
      await seedDemoIfEmpty(container);
      if (await signalled()) return -1;
      // Before the indexes are built: an unreachable queue backend is reported at once, not after a minute of loading.
      const { backend } = await container.queues();
      await checkQueueDurability(backend, { production: config.env === 'production', log });
      if (await signalled()) return -1;
      // The API first: it listens once the search index is ready and serves the kiosk while the matcher loads; the
      // worker then waits for the matcher. Stopped the other way round (roles are stopped from the end): the API
      // drains first, then the workers.
      if (runApi) roles.push({ name: 'api', ...(await startApi(container, { execute })) });
      if (await signalled()) return -1;
      if (runWorker) roles.unshift({ name: 'worker', ...(await startWorker(container)) });
      // A matcher that fails to load fails the start, as it did before the API listened without it.
      if (runApi) await container.matchService();
    } catch (err) {
      if (err instanceof UnsafeRedis) {
        io.err(err.message);
        await container.close();
        return 2;
      }
      // A signal during start-up closes the database under the part being built; the shutdown decides the exit.
      if (stopping) return -1;
      throw err;
    }
    return -1;
  },
};
