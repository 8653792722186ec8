/**
 * Integration-test setup: a private redis-server on a free port (never the shared one on 6379) for the Redis
 * backend's cases, and the address of a PostgreSQL server when one is reachable, handed to the test files through
 * `inject`. `npm test` checks beforehand that redis-server is installed (scripts/test-prerequisites.sh).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'vitest';
import type { TestProject } from 'vitest/node';
import { portAnswers } from './ports.ts';
import { type RedisServerHandle, startRedisServer } from './redis-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    postgresUrl: string | null;
  }
}

let redis: RedisServerHandle | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'jobbruecke-test-redis-'));
  redis = await startRedisServer({ dir });
  project.provide('redisUrl', redis.url);

  let postgresUrl: string | null = process.env.TEST_DATABASE_URL ?? null;
  if (!postgresUrl && (await portAnswers('127.0.0.1', 5432))) postgresUrl = 'postgres://postgres@127.0.0.1:5432/test';
  project.provide('postgresUrl', postgresUrl);
  // Said once, so that the PostgreSQL cases are never left out unnoticed.
  if (!postgresUrl) console.log('No PostgreSQL on 127.0.0.1:5432 and no TEST_DATABASE_URL: PostgreSQL cases skipped.');
}

export async function teardown(): Promise<void> {
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
