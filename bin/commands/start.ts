import { isDemoSeeded, isEmpty, seedDemo } from '../../src/demo/seed.ts';
import { startApi } from '../api.ts';
import { type Container, createContainer } from '../container.ts';
import { startWorker } from '../worker.ts';
import type { Command } from './command.ts';
import { demoAccountsText } from './seed.ts';
import { startUsage } from './usage.ts';

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
  async run({ config, log, values, execute }) {
    const runApi = !values.worker || !!values.api;
    const runWorker = !values.api || !!values.worker;
    const container = createContainer(config, log, { api: runApi });

    // Stopped last-started first: the API (HTTP drains), then the workers (jobs drain); the container closes last.
    const roles: Array<{ stop(): Promise<void> }> = [];
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      for (const role of roles.reverse()) {
        await role.stop().catch((err) => log.warn({ err: (err as Error).message }, 'error during shutdown'));
      }
      await container.close();
      log.info('stopped');
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
      await container.queues();
      if (await signalled()) return -1;
      if (runWorker) roles.push(await startWorker(container));
      if (await signalled()) return -1;
      if (runApi) roles.push(await startApi(container, { execute }));
    } catch (err) {
      // A signal during start-up closes the database under the part being built; the shutdown decides the exit.
      if (stopping) return -1;
      throw err;
    }
    return -1;
  },
};
