/**
 * The embedded database (PGlite) can be opened by one process only. While `jobbruecke start` runs, other CLI
 * commands are therefore forwarded to it: the service listens on a listener of its own, on 127.0.0.1 only and on a
 * random port (never on the public listener), and writes `service.json` (port and a random token, mode 0600) into the
 * data directory. The CLI sends its arguments there with `Authorization: Bearer <token>`; the service runs the same
 * command and streams its output back. Without a service, the CLI opens the database itself, guarded by a lock file
 * so that two processes never open it at once.
 *
 * Who is calling: only an account that can read service.json can send the token, i.e. the service's own OS account
 * (or root). That much is verified; the login name the CLI sends along is not (nothing over TCP proves it), so the
 * audit trail records the service's account and the name as claimed (`operatorOf`). See docs/security.md.
 *
 * The CLI side runs at every start of the CLI, so the server side's HTTP modules are imported only by the service.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { CommandIo } from './command-io.ts';

/** The CLI listener's address: loopback only, whatever HOST the public listener uses. */
export const CLI_HOST = '127.0.0.1';

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

/** A new token for this run of the service. */
export function serviceToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Writes service.json readable by the service's account only. A file left from earlier (perhaps with wider
 * permissions, or a link planted in its place) is removed first and the new one created exclusively; the mode is set
 * again after writing, since `mode` applies only to a new file and the umask may narrow it further but never widen it.
 */
export function publishService(dataDir: string, info: Omit<ServiceInfo, 'pid'>): ServiceInfo {
  const full = { ...info, pid: process.pid };
  const file = serviceFile(dataDir);
  mkdirSync(dataDir, { recursive: true });
  rmSync(file, { force: true });
  writeFileSync(file, JSON.stringify(full), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
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

/**
 * Failures before the request reached the service: with these, and only these, the command certainly did not run
 * there, so the CLI may run it itself. Any later failure (the service accepted the request and then stopped) leaves
 * the outcome open, and running the command again could do its work twice.
 */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EADDRNOTAVAIL', 'ENETUNREACH', 'EHOSTUNREACH']);

function notConnected(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' && NOT_CONNECTED.has(cause.code);
}

/** What shows whether a command that was cut off took effect; commands without a listing are checked by their effect. */
const CHECK_WITH: Record<string, string> = {
  crawl: 'jobbruecke sources list',
  sources: 'jobbruecke sources list',
  users: 'jobbruecke users list',
  catchment: 'jobbruecke catchment list',
  taxonomy: 'jobbruecke taxonomy status',
};

/** The command as its user would name it: the verb and its subcommand, never ids, addresses or file names. */
function commandName(args: string[]): string {
  const [verb, sub] = args;
  return sub && /^[a-z-]+$/.test(sub) ? `jobbruecke ${verb} ${sub}` : `jobbruecke ${verb}`;
}

/** The one line a CLI prints when the service stopped while running its command. */
export function serviceStoppedLine(args: string[]): string {
  const check = CHECK_WITH[args[0] ?? ''];
  return (
    `Error: the service stopped while running "${commandName(args)}"; it may or may not have completed. ` +
    (check
      ? `Check with "${check}" once the service runs again.`
      : 'Check its effect once the service runs again before repeating it.')
  );
}

/**
 * Runs a command inside the service; streams its output to `io` and resolves with its exit code. When the service
 * stops before it reports the exit code, the user gets one line saying so and exit code 1. Throws ServiceUnreachable
 * only when the request never reached the service.
 */
export async function forwardToService(service: ServiceInfo, args: string[], io: CommandIo): Promise<number> {
  let response: Response;
  try {
    response = await fetch(`http://${service.host}:${service.port}/internal/cli`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service.token}`, 'content-type': 'application/json' },
      // The caller's login name: the service cannot verify it, so it is recorded as claimed (operatorOf).
      body: JSON.stringify({ args, operator: userInfo().username }),
    });
  } catch (err) {
    if (notConnected(err)) throw new ServiceUnreachable((err as Error).message);
    io.err(serviceStoppedLine(args));
    return 1;
  }
  if (!response.ok || !response.body) {
    io.err(`The running service refused the command (HTTP ${response.status}).`);
    return 1;
  }
  let code: number | undefined;
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      // The connection was cut mid-answer (undici's "terminated"): whether the exit code came first decides below.
      break;
    }
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
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
  if (code === undefined) {
    io.err(serviceStoppedLine(args));
    return 1;
  }
  return code;
}

const CliRequest = z.object({
  args: z.array(z.string().max(10_000)).max(100),
  operator: z.string().max(100).default('unknown'),
});

/** A login name as the CLI claims it: a plain name, or "unknown" (it goes into the audit trail). */
const CLAIMED_NAME = /^[a-z_][a-z0-9._-]{0,63}$/i;

/**
 * The operator the audit trail names for a forwarded command: the service's own OS account, which is all the token
 * proves, and the login name the CLI sent, marked as claimed unless it is that same account.
 */
export function operatorOf(claimed: string, serviceUser: string = userInfo().username): string {
  const name = CLAIMED_NAME.test(claimed) ? claimed : 'unknown';
  return name === serviceUser ? serviceUser : `${serviceUser} (claimed: ${name})`;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The endpoint behind forwardToService: the token from service.json, as `Authorization: Bearer <token>` and in no
 * other form. Mounted only on the CLI listener (`startCliListener`), never on the public one.
 */
export async function internalCliRoutes(
  token: string,
  run: (args: string[], io: CommandIo, operator: string) => Promise<number>,
) {
  const [{ Hono }, { stream }] = await Promise.all([import('hono'), import('hono/streaming')]);
  // Digests have equal length whatever was sent, so the comparison is constant-time without a length check.
  const expected = digest(`Bearer ${token}`);
  const app = new Hono();
  app.post('/cli', async (c) => {
    const given = digest(c.req.header('authorization') ?? '');
    if (!timingSafeEqual(given, expected)) return c.json({ error: 'forbidden' }, 403);
    const body = CliRequest.safeParse(await c.req.json().catch(() => null));
    // A second service inside this one would open the embedded database twice.
    if (!body.success || body.data.args[0] === 'start') return c.json({ error: 'bad request' }, 400);
    const operator = operatorOf(body.data.operator);
    return stream(c, async (out) => {
      const send = (event: Record<string, unknown>) => void out.write(`${JSON.stringify(event)}\n`);
      const code = await run(
        body.data.args,
        {
          out: (line) => send({ out: line }),
          err: (line) => send({ err: line }),
        },
        operator,
      );
      send({ code });
    });
  });
  return app;
}

/**
 * The CLI listener: 127.0.0.1 on a port the system picks, apart from the public listener, so the endpoint is
 * reachable from this machine only, whatever HOST says, and never through a proxy in front of the API.
 */
export async function startCliListener(
  token: string,
  run: (args: string[], io: CommandIo, operator: string) => Promise<number>,
): Promise<{ server: Server; port: number }> {
  const [{ Hono }, { serve }] = await Promise.all([import('hono'), import('@hono/node-server')]);
  const app = new Hono().route('/internal', await internalCliRoutes(token, run));
  const server = serve({ fetch: app.fetch, port: 0, hostname: CLI_HOST }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
