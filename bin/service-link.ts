/**
 * The embedded database (PGlite) can be opened by one process only. While `jobbruecke start` runs, other CLI
 * commands are therefore forwarded to it: the service writes `service.json` (port and a random token, mode 0600)
 * into the data directory, and the CLI sends its arguments to a loopback-only endpoint that runs the same command
 * inside the service and streams its output back. Without a service, the CLI opens the database itself, guarded by
 * a lock file so that two processes never open it at once.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import type { CommandIo } from './command-io.ts';

const ServiceInfo = z.object({
  pid: z.number().int(),
  host: z.string(),
  port: z.number().int(),
  token: z.string().min(20),
});
export type ServiceInfo = z.infer<typeof ServiceInfo>;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const serviceFile = (dataDir: string) => join(dataDir, 'service.json');
const lockFile = (dataDir: string) => join(dataDir, 'db.lock');

export function publishService(dataDir: string, info: Omit<ServiceInfo, 'token' | 'pid'>): ServiceInfo {
  const full = { ...info, pid: process.pid, token: randomBytes(24).toString('base64url') };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(serviceFile(dataDir), JSON.stringify(full), { mode: 0o600 });
  return full;
}

export function withdrawService(dataDir: string): void {
  rmSync(serviceFile(dataDir), { force: true });
}

/** The running service of this data directory, if any. */
export function runningService(dataDir: string): ServiceInfo | undefined {
  if (!existsSync(serviceFile(dataDir))) return undefined;
  const parsed = ServiceInfo.safeParse(JSON.parse(readFileSync(serviceFile(dataDir), 'utf8') || '{}'));
  return parsed.success && alive(parsed.data.pid) ? parsed.data : undefined;
}

export class EmbeddedDatabaseBusy extends Error {
  constructor(pid: number) {
    super(
      `The embedded database in this data directory is in use by process ${pid}. ` +
        'Wait until it has finished (or stop it), then try again; while "jobbruecke start" runs, commands are passed to it automatically.',
    );
  }
}

/** Takes the embedded database for this process; returns the release function. */
export function lockEmbeddedDatabase(dataDir: string): () => void {
  const file = lockFile(dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Created exclusively, so two processes starting at the same moment cannot both take it.
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid !== process.pid && alive(pid)) throw new EmbeddedDatabaseBusy(pid);
      // Left behind by a process that died: remove it and try once more.
      rmSync(file, { force: true });
    }
  }
  return () => {
    if (existsSync(file) && Number(readFileSync(file, 'utf8')) === process.pid) rmSync(file, { force: true });
  };
}

/** The service named in service.json did not accept the connection: nothing was run there. */
export class ServiceUnreachable extends Error {}

/** Runs a command inside the service; streams its output to `io` and resolves with its exit code. */
export async function forwardToService(service: ServiceInfo, args: string[], io: CommandIo): Promise<number> {
  let response: Response;
  try {
    response = await fetch(
      `http://${service.host === '0.0.0.0' ? '127.0.0.1' : service.host}:${service.port}/internal/cli`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${service.token}`, 'content-type': 'application/json' },
        // The caller's login name, so the audit trail names who ran the command, not the service's account.
        body: JSON.stringify({ args, operator: userInfo().username }),
      },
    );
  } catch (err) {
    throw new ServiceUnreachable((err as Error).message);
  }
  if (!response.ok || !response.body) {
    io.err(`The running service refused the command (HTTP ${response.status}).`);
    return 1;
  }
  let code = 1;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const event = JSON.parse(buffer.slice(0, newline)) as { out?: string; err?: string; code?: number };
      if (event.out !== undefined) io.out(event.out);
      if (event.err !== undefined) io.err(event.err);
      if (event.code !== undefined) code = event.code;
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  return code;
}

const CliRequest = z.object({
  args: z.array(z.string().max(10_000)).max(100),
  operator: z.string().max(100).default('unknown'),
});

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1');
}

/** The endpoint behind forwardToService: loopback only, with the token from service.json. */
export function internalCliRoutes(
  token: string,
  run: (args: string[], io: CommandIo, operator: string) => Promise<number>,
) {
  const expected = Buffer.from(token);
  const app = new Hono();
  app.post('/cli', async (c) => {
    let remote: string | undefined;
    try {
      remote = getConnInfo(c).remote.address;
    } catch {
      remote = undefined;
    }
    const given = Buffer.from((c.req.header('authorization') ?? '').replace(/^Bearer\s+/i, ''));
    if (!isLoopback(remote) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return c.json({ error: 'forbidden' }, 403);
    }
    const body = CliRequest.safeParse(await c.req.json().catch(() => null));
    // A second service inside this one would open the embedded database twice.
    if (!body.success || body.data.args[0] === 'start') return c.json({ error: 'bad request' }, 400);
    return stream(c, async (out) => {
      const send = (event: Record<string, unknown>) => void out.write(`${JSON.stringify(event)}\n`);
      const code = await run(
        body.data.args,
        {
          out: (line) => send({ out: line }),
          err: (line) => send({ err: line }),
        },
        body.data.operator,
      );
      send({ code });
    });
  });
  return app;
}
