/**
 * A job board on an allowed private origin redirects to another port of the same host (where Redis would listen):
 * the fetcher refuses the hop before any byte reaches that port, robots.txt included.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrawlError } from '../../crawlers/http/errors.ts';
import { Fetcher } from '../../crawlers/http/fetcher.ts';
import { MemoryHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';

let board: Server;
let redisLike: TcpServer;
let boardPort: number;
let redisPort: number;
let redisConnections = 0;

beforeAll(async () => {
  redisLike = createTcpServer((socket) => {
    redisConnections++;
    socket.end('-ERR wrong place\r\n');
  });
  await new Promise<void>((listening) => redisLike.listen(0, '127.0.0.1', listening));
  redisPort = (redisLike.address() as AddressInfo).port;
  board = createHttpServer((req, res) => {
    if (req.url === '/weiter') return void res.writeHead(302, { location: `http://127.0.0.1:${redisPort}/` }).end();
    if (req.url === '/weiter-name')
      return void res.writeHead(302, { location: `http://localhost:${redisPort}/` }).end();
    if (req.url === '/stellen') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('Stellen');
    res.writeHead(404).end();
  });
  await new Promise<void>((listening) => board.listen(0, '127.0.0.1', listening));
  boardPort = (board.address() as AddressInfo).port;
});

afterAll(async () => {
  board?.closeAllConnections();
  await new Promise((closed) => board?.close(closed));
  await new Promise((closed) => redisLike?.close(closed));
});

const fetcher = () =>
  new Fetcher(
    {
      contactUrl: 'https://jobbruecke.example/kontakt',
      allowedPrivateHosts: [`127.0.0.1:${boardPort}`, `localhost:${boardPort}`],
      minHostIntervalMs: 0,
      retryBaseDelayMs: 10,
      maxRetries: 0,
      responseTimeoutMs: 2_000,
    },
    new MemoryHostRateLimiter(),
  );

describe('CRAWL_ALLOWED_PRIVATE_HOSTS is host and port (finding 4)', () => {
  it('reads the allowed origin', async () => {
    const f = fetcher();
    try {
      expect((await f.fetch(`http://127.0.0.1:${boardPort}/stellen`)).text()).toBe('Stellen');
      expect((await f.fetch(`http://localhost:${boardPort}/stellen`)).text()).toBe('Stellen');
    } finally {
      await f.close();
    }
  });

  it.each([
    ['an IP literal', '127.0.0.1', '/weiter'],
    ['a host name', 'localhost', '/weiter-name'],
  ])('refuses a redirect to another port of the same host (%s), before any traffic', async (_, host, path) => {
    const f = fetcher();
    try {
      const error = await f.fetch(`http://${host}:${boardPort}${path}`).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CrawlError);
      expect((error as CrawlError).kind).toBe('ssrf_blocked');
      expect(redisConnections).toBe(0);
    } finally {
      await f.close();
    }
  });
});
