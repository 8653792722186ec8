/**
 * A process that works ingest-shaped jobs on an embedded database in `DATA_DIR`, for the test that kills it
 * (tests/integration/embedded-process-kill.test.ts). Each job records its batch id in `app_meta` (idempotently, as
 * the real processors are). With `--add N` it first queues N jobs. It prints one line per job done and exits once
 * the queue has nothing waiting or running.
 * Run: node --import tsx tests/helpers/embedded-queue-child.ts <dataDir> [--add N]
 */
import { Worker } from 'bullmq';
import { sql } from 'drizzle-orm';
import { openQueueBackend } from '../../queues/backend.ts';
import { createQueues } from '../../queues/queues.ts';
import { openPglite } from '../../src/db/client.ts';
import { appMeta } from '../../src/db/schema.ts';
import { createLogger } from '../../src/logging.ts';

const [dataDir, flag, count] = process.argv.slice(2);
const log = createLogger('silent');
const database = await openPglite(dataDir);
await database.migrate();
const backend = await openQueueBackend({ kind: 'embedded' }, { database, log });
const queues = createQueues(backend, log);
if (flag === '--add') {
  for (let i = 0; i < Number(count); i++) await queues.ingest(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
}
// Short locks, so that the jobs of a killed process count as stalled within seconds instead of 30 s.
const worker = new Worker(
  'ingest',
  async (job) => {
    await database.db
      .insert(appMeta)
      .values({ key: `job:${job.data.batchId}`, value: '1' })
      .onConflictDoNothing();
    await new Promise((r) => setTimeout(r, 20));
    console.log(`done ${job.data.batchId}`);
  },
  { connection: backend.connection, concurrency: 4, lockDuration: 2_000, stalledInterval: 1_000 },
  backend.factory,
);
for (;;) {
  await new Promise((r) => setTimeout(r, 500));
  const counts = await queues.byName.ingest.getJobCounts('waiting', 'active', 'delayed');
  if (Object.values(counts).every((n) => n === 0)) break;
}
await worker.close();
await queues.close();
await backend.close();
const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(appMeta);
console.log(`recorded ${row?.n}`);
await database.close();
