/**
 * The API role of `jobbruecke start` (`--api`, or both roles by default): the HTTP server over the container's parts.
 * The embedded search index lives here, so this role follows the outbox for it. With the embedded database it also
 * runs the commands other CLI processes forward to it, on a loopback listener of its own (bin/service-link.ts).
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerOptions, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.ts';
import { matcherWhileLoading } from '../matchers/service/while-loading.ts';
import { checkHealth } from '../src/health.ts';
import type { Logger } from '../src/logging.ts';
import { sharedIndexCursor } from '../src/search/index-sync.ts';
import { type CommandInput, resourcesOf } from './commands/command.ts';
import type { Container } from './container.ts';
import { CLI_HOST, publishService, serviceToken, startCliListener, withdrawService } from './service-link.ts';

/** Requests still running get this long to answer before their connections are cut. */
const HTTP_DRAIN_MS = 10_000;
/** The embedded index catches up this often, also when index jobs are taken by a worker process elsewhere. */
const INDEX_FOLLOW_MS = 1_000;

/**
 * Time limits of the public listener, against clients that hold connections open by sending slowly (Slowloris) or
 * not at all. Requests here are small (headers, a JSON body of at most 256 KiB); answers are not limited by these.
 */
export const HTTP_LIMITS = {
  /** The request line and all headers must arrive within this. */
  headersTimeoutMs: 10_000,
  /** The whole request, body included. */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /**
   * A connection with no traffic either way is closed after this: a client that stops reading an answer. Generous,
   * since a request being computed is silent too.
   */
  idleSocketTimeoutMs: 120_000,
  /** How often Node checks the two request timeouts: the cut comes at most this late. */
  checkIntervalMs: 1_000,
  /** Request line and headers together; Node's default, set explicitly. */
  maxHeaderBytes: 16_384,
} as const;

const SERVER_OPTIONS: ServerOptions = {
  headersTimeout: HTTP_LIMITS.headersTimeoutMs,
  requestTimeout: HTTP_LIMITS.requestTimeoutMs,
  keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
  connectionsCheckingInterval: HTTP_LIMITS.checkIntervalMs,
  maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
};

/** What Node's HTTP parser refuses before the app sees a request, answered as the app answers: problem+json. */
function parserProblem(code: string | undefined): { status: number; title: string; code: string; detail: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        title: 'Anfrage zu groß',
        code: 'headers_too_large',
        detail: `Adresse und Kopfzeilen dürfen zusammen höchstens ${HTTP_LIMITS.maxHeaderBytes / 1024} KiB lang sein.`,
      };
    case 'HPE_INVALID_METHOD':
      return {
        status: 501,
        title: 'Methode nicht unterstützt',
        code: 'method',
        detail: 'Diese Methode gibt es hier nicht.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        title: 'Zeitüberschreitung',
        code: 'timeout',
        detail: 'Die Anfrage kam nicht rechtzeitig an.',
      };
    default:
      return {
        status: 400,
        title: 'Ungültige Anfrage',
        code: 'bad_request',
        detail: 'Die Anfrage ist kein gültiges HTTP.',
      };
  }
}

/** A complete HTTP/1.1 answer written to a raw socket: small, closed after, cached nowhere. */
function rawProblem(problem: ReturnType<typeof parserProblem>, requestId: string): string {
  const body = JSON.stringify({ type: 'about:blank', ...problem, request_id: requestId });
  return [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
    'Content-Type: application/problem+json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'",
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * The public listener with its limits: timeouts against slow clients, and a problem+json for what never reaches the
 * app (a request Node's parser refuses, a timeout, a CONNECT).
 */
export async function listenHttp(
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>,
  { port, hostname, log }: { port: number; hostname: string; log: Logger },
): Promise<Server> {
  const server = serve({ fetch, port, hostname, serverOptions: SERVER_OPTIONS }) as Server;
  server.setTimeout(HTTP_LIMITS.idleSocketTimeoutMs);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A connection reset, or one whose answer has begun, cannot take another answer.
    if (err.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const problem = parserProblem(err.code);
    log.info({ requestId, status: problem.status, code: err.code }, 'request refused by the HTTP parser');
    socket.end(rawProblem(problem, requestId));
  });
  // Without a listener Node closes a CONNECT without a word; this API tunnels nothing.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.end(
      rawProblem(
        { status: 405, title: 'Methode nicht erlaubt', code: 'method', detail: 'CONNECT wird nicht unterstützt.' },
        randomUUID(),
      ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  return server;
}

/** Stops accepting, lets running requests answer (so no client loses the reply to a committed write), then cuts. */
function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), HTTP_DRAIN_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export async function startApi(
  container: Container,
  { execute }: { execute: CommandInput['execute'] },
): Promise<{ stop(): Promise<void> }> {
  const { config, log } = container;
  const { ctx, database } = await container.core();
  const queues = await container.queues();
  const indexFollower = await container.indexFollower();
  const search = await container.search();
  // The kiosk needs the search index only: the API listens while the matcher loads (matchers/service/while-loading.ts);
  // the start command awaits the load itself and fails if it fails.
  const matcher = matcherWhileLoading(container.matchService());
  const matchService = matcher.service;

  let follow: NodeJS.Timeout | undefined;
  if (config.search.kind === 'embedded' && indexFollower) {
    follow = setInterval(
      () => void indexFollower.sync(ctx).catch((err) => log.warn({ err: err.message }, 'index follow failed')),
      INDEX_FOLLOW_MS,
    );
  }

  const app = createApp({
    ctx,
    search,
    matchService,
    network: config.network,
    kioskRequestsPerMinute: config.network.kioskRequestsPerMinute,
    exchange: config.site,
    queues,
    queueBoard: Object.values(queues.byName),
    metrics: {
      queues,
      networks: config.network.metricsNetworks,
      // Meilisearch: the cursor all processes share; embedded: this process's own follower, one second behind at most
      // while it keeps up.
      indexCursor:
        config.search.kind === 'meilisearch'
          ? () => sharedIndexCursor(ctx).get()
          : indexFollower?.position?.bind(indexFollower),
    },
    health: () =>
      checkHealth(
        {
          db: { kind: database.kind, check: () => database.ping() },
          queue: { kind: queues.backend.kind, check: () => queues.backend.ping() },
          search: { kind: config.search.kind, check: () => search.health() },
        },
        matcher.loaded() ? [] : ['matcher'],
      ),
  });
  const server = await listenHttp(app.fetch, { port: config.http.port, hostname: config.http.host, log });
  const embedded = config.db.kind === 'pglite';
  let cliServer: Server | undefined;
  if (embedded) {
    // Other CLI processes cannot open the embedded database now; they hand their commands to this process.
    const token = serviceToken();
    const resources = resourcesOf(container, true);
    const cli = await startCliListener(token, (args, io, operator) =>
      execute(args, { config, log, io, resources, operator }),
    );
    cliServer = cli.server;
    publishService(config.dataDir, { host: CLI_HOST, port: cli.port, token });
  }
  log.info({ url: `http://${config.http.host}:${config.http.port}` }, 'API listening');
  console.log(`Jobbrücke läuft: http://${config.http.host}:${config.http.port}  (Health: /health)`);

  return {
    async stop() {
      // First, so new CLI commands run on their own again instead of being sent to a stopping service.
      if (embedded) withdrawService(config.dataDir);
      await Promise.all([closeHttp(server), cliServer ? closeHttp(cliServer) : undefined]);
      clearInterval(follow);
    },
  };
}
