/**
 * A CLI command forwarded into the running embedded service (bin/service-link.ts) whose service stops mid-way: the
 * user gets one clear line saying the outcome is open and how to check it, exit code 1, and no stack trace; the CLI
 * never runs the command a second time by itself. Killed (SIGKILL) and stopped (SIGTERM, whose HTTP drain cuts the
 * command's stream after 10 s) during `crawl --all --wait` of a slowly streaming job board.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forwardToService, ServiceUnreachable, serviceStoppedLine } from '../../bin/service-link.ts';
import { type CliResult, runCli } from '../helpers/cli.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { startService } from '../helpers/service-process.ts';

/** Long enough that the crawl is surely still streaming when the service goes away. */
const STREAM_MS = 120_000;
const CLI_TIMEOUT_MS = 180_000;

const boards: JobFeedServer[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const board of boards) await board.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function envOf(dataDir: string, board: JobFeedServer): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    DEMO_DATA: 'off',
    CRAWL_ALLOWED_PRIVATE_HOSTS: new URL(board.origin).host,
    LOG_LEVEL: 'warn',
  };
}

/**
 * A service on a new data directory with a board of its own as its one source (added through the forwarded CLI), and
 * a promise that resolves once the board is being read, i.e. a crawl is in the middle.
 */
async function serviceWithSource() {
  const board = await startJobFeedServer({ count: 2_000, streamMs: STREAM_MS });
  boards.push(board);
  const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-chaos-cli-'));
  dirs.push(dataDir);
  const env = envOf(dataDir, board);
  const service = await startService(env);
  await service.waitForHealthy(180_000);
  const added = await runCli(
    ['sources', 'add', '--type', 'feed', '--url', board.feedUrl, '--name', 'Testbörse (Chaos)'],
    env,
    CLI_TIMEOUT_MS,
  );
  expect(added.stderr).toBe('');
  expect(added.stdout).toMatch(/Source added: [0-9a-f-]{36}/);
  const crawlStreaming = board.feedRequested.then(() => new Promise((r) => setTimeout(r, 2_000)));
  return { env, service, crawlStreaming };
}

function expectOneClearLine(result: CliResult, args: string[]): void {
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toBe(serviceStoppedLine(args));
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).not.toMatch(/^\s+at /m);
  // The CLI did not run the command itself once the service was gone (it would report counts).
  expect(result.stdout).not.toContain('fetched');
}

describe('a forwarded command whose service stops mid-way', () => {
  it('prints one clear line and exits 1 when the service is killed (SIGKILL)', { timeout: 600_000 }, async () => {
    const { env, service, crawlStreaming } = await serviceWithSource();
    const args = ['crawl', '--all', '--wait'];
    const running = runCli(args, env, CLI_TIMEOUT_MS);
    await crawlStreaming;
    await service.stop('SIGKILL');
    const result = await running;
    expectOneClearLine(result, args);
    expect(result.stderr).toContain('Check with "jobbruecke sources list" once the service runs again.');

    // The hint works: after a restart the source and its (cut) crawl are listed.
    const again = await startService(env);
    try {
      await again.waitForHealthy(180_000);
      const listed = await runCli(['sources', 'list'], env, CLI_TIMEOUT_MS);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain('Testbörse (Chaos)');
    } finally {
      expect(await again.stop('SIGTERM')).toBe(0);
    }
  });

  it('prints one clear line and exits 1 when the service shuts down (SIGTERM)', { timeout: 600_000 }, async () => {
    const { env, service, crawlStreaming } = await serviceWithSource();
    const args = ['crawl', '--all', '--wait'];
    const running = runCli(args, env, CLI_TIMEOUT_MS);
    await crawlStreaming;
    const stopped = service.stop('SIGTERM', 120_000);
    const result = await running;
    expectOneClearLine(result, args);
    expect(await stopped).toBe(0);
  });
});

describe('the link, when the service goes away before it answers', () => {
  it('reports a connection closed after the request as "may or may not have completed", a refused one as unreachable', async () => {
    // Reads the request, then dies without a word: the command may have started.
    const server = createServer((socket) => socket.once('data', () => socket.destroy()));
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    const service = {
      pid: process.pid,
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      token: 'chaos-test-token-0000000000',
    };
    const args = ['users', 'add', '--role', 'caseworker', '--email', 'person@example.invalid'];
    const err: string[] = [];
    const code = await forwardToService(service, args, { out: () => {}, err: (line) => err.push(line) });
    expect(code).toBe(1);
    expect(err).toEqual([serviceStoppedLine(args)]);
    expect(err[0]).toBe(
      'Error: the service stopped while running "jobbruecke users add"; it may or may not have completed. ' +
        'Check with "jobbruecke users list" once the service runs again.',
    );

    // Nobody listens any more: nothing ran, so the CLI may run the command itself.
    await new Promise((closed) => server.close(closed));
    await expect(forwardToService(service, args, { out: () => {}, err: () => {} })).rejects.toBeInstanceOf(
      ServiceUnreachable,
    );
  });
});
