/**
 * The embedded queues share the database's durability: a process killed with SIGKILL in the middle of its jobs
 * leaves a database that opens again, the jobs it was running are handed to the next process as stalled, and none is
 * lost.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openQueueBackend } from '../../queues/backend.ts';
import { createQueues } from '../../queues/queues.ts';
import { openPglite } from '../../src/db/client.ts';
import { appMeta } from '../../src/db/schema.ts';
import { createLogger } from '../../src/logging.ts';

const CHILD = resolve(import.meta.dirname, '../helpers/embedded-queue-child.ts');
const JOBS = 120;
const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-embedded-kill-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function child(args: string[]) {
  const process_ = spawn(process.execPath, ['--import', 'tsx', CHILD, join(dataDir, 'db'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let done = 0;
  let output = '';
  process_.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    done = (output.match(/^done /gm) ?? []).length;
  });
  const exited = new Promise<number | null>((r) => process_.once('exit', (code) => r(code)));
  return { process: process_, done: () => done, output: () => output, exited };
}

it('loses no job when the process is killed in the middle of them', { timeout: 120_000 }, async () => {
  const first = child(['--add', String(JOBS)]);
  const deadline = Date.now() + 60_000;
  while (first.done() < JOBS / 4) {
    if (Date.now() > deadline || first.process.exitCode !== null) throw new Error(`first process: ${first.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  first.process.kill('SIGKILL');
  await first.exited;
  expect(first.done()).toBeLessThan(JOBS);

  const second = child([]);
  expect(await second.exited).toBe(0);
  expect(second.output()).toContain(`recorded ${JOBS}`);

  const database = await openPglite(join(dataDir, 'db'));
  const backend = await openQueueBackend({ kind: 'embedded' }, { database, log: createLogger('silent') });
  const queues = createQueues(backend, createLogger('silent'));
  try {
    expect(await database.db.$count(appMeta)).toBe(JOBS);
    expect(await queues.byName.ingest.getJobCounts('waiting', 'active', 'delayed', 'failed')).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
    });
  } finally {
    await queues.close();
    await backend.close();
    await database.close();
  }
});
