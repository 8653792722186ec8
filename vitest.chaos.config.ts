import { defineConfig } from 'vitest/config';

/**
 * The chaos suite (`npm run test:chaos`): faults injected into real processes (kill -9 of Redis, a worker, the
 * service; a PostgreSQL connection terminated mid-transaction), each scenario printing its counts
 * (tests/helpers/chaos.ts). Kept out of `npm test`'s projects (vitest.config.ts) so it runs once, on its own.
 */
export default defineConfig({
  test: {
    name: 'chaos',
    include: ['tests/chaos/**/*.test.ts'],
    // The PostgreSQL address for the scenarios that need one; each Redis scenario starts its own redis-server.
    globalSetup: ['tests/helpers/global-setup.ts'],
    // Scenarios kill and restart processes and wait for them to drain: one file at a time, on a shared machine.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
