/**
 * Starts and stops a private `redis-server` process for the Redis backend's tests and `npm run bench:ingest`, which
 * never touch a shared Redis. AOF persistence is on unless asked otherwise, as a production Redis for BullMQ should
 * run (docs/architecture.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { freePort, portAnswers } from './ports.ts';

export interface RedisServerOptions {
  /** Working directory for AOF files. */
  dir: string;
  /** @defaultValue a free port chosen by the OS */
  port?: number;
  /** @defaultValue true */
  appendOnly?: boolean;
  /** @defaultValue 'redis-server' from PATH */
  binary?: string;
}

export interface RedisServerHandle {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startRedisServer(options: RedisServerOptions): Promise<RedisServerHandle> {
  const { dir, appendOnly = true, binary = 'redis-server' } = options;
  const port = options.port ?? (await freePort());
  mkdirSync(dir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    appendOnly ? 'yes' : 'no',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 10_000;
  while (!(await portAnswers('127.0.0.1', port, 200))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited at start: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer on port ${port} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
