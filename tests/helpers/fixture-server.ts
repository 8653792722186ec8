/**
 * A small HTTP server on 127.0.0.1 for crawler tests: serves recorded-shape responses from tests/fixtures/crawlers
 * ({{ORIGIN}} and {{PORT}} in text files are filled in) and a few scripted misbehaviours under /misbehave/.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

export const FIXTURE_ROOT = join(import.meta.dirname, '../fixtures/crawlers');

export interface FixtureServerOptions {
  /** robots.txt body, or a status code to answer with; 404 when absent. */
  robots?: string | number;
}

export interface FixtureServer {
  origin: string;
  port: number;
  /** Paths (with query) in arrival order. */
  requests: Array<{ path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.rss': 'application/rss+xml',
  '.atom': 'application/atom+xml',
  '.js': 'text/javascript',
  '.txt': 'text/plain',
};

function contentTypeFor(path: string): string {
  // Charset fixtures declare their encoding in the file name, so the server says what a misconfigured one would.
  if (path.endsWith('.latin1.html')) return 'text/html; charset=ISO-8859-1';
  if (path.endsWith('.nocharset.html')) return 'text/html';
  return CONTENT_TYPES[extname(path)] ?? 'application/octet-stream';
}

const FIFTY_MB = 50 * 1024 * 1024;

function streamBigBody(res: ServerResponse, declareLength: boolean): void {
  res.writeHead(200, {
    'content-type': 'text/html',
    ...(declareLength ? { 'content-length': String(FIFTY_MB) } : {}),
  });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  // Generated on demand so the server never holds 50 MB; stops as soon as the client hangs up.
  const pump = (): void => {
    while (sent < FIFTY_MB && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

export async function startFixtureServer(options: FixtureServerOptions = {}): Promise<FixtureServer> {
  const requests: FixtureServer['requests'] = [];
  const attempts = new Map<string, number>();
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    requests.push({ path: url.pathname + url.search, headers: req.headers });
    const count = (attempts.get(url.pathname) ?? 0) + 1;
    attempts.set(url.pathname, count);

    switch (url.pathname) {
      case '/robots.txt':
        if (typeof options.robots === 'string')
          return void res.writeHead(200, { 'content-type': 'text/plain' }).end(options.robots);
        return void res.writeHead(options.robots ?? 404).end();
      case '/misbehave/big':
        return streamBigBody(res, false);
      case '/misbehave/big-declared':
        return streamBigBody(res, true);
      case '/misbehave/loop-a':
        return void res.writeHead(302, { location: '/misbehave/loop-b' }).end();
      case '/misbehave/loop-b':
        return void res.writeHead(302, { location: '/misbehave/loop-a' }).end();
      case '/misbehave/redirect':
        return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
      case '/misbehave/hang':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><body>Stellen');
        return;
      case '/misbehave/flaky':
        if (count === 1) return void res.writeHead(503, { 'retry-after': '1' }).end('busy');
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok after retry');
      case '/misbehave/retry-much-later':
        return void res.writeHead(503, { 'retry-after': '3600' }).end('maintenance');
      case '/misbehave/conditional': {
        const etag = '"v1"';
        if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
        return void res
          .writeHead(200, { etag, 'last-modified': 'Tue, 10 Nov 2026 08:00:00 GMT', 'content-type': 'text/plain' })
          .end('unchanged listing');
      }
    }

    // The BA search: /ba/pc/<variant>/jobs?page=N answers with ba/<variant>-page-N.json.
    const ba = /^\/ba\/pc\/([\w-]+)\/jobs$/.exec(url.pathname);
    if (ba) {
      if (req.headers['x-api-key'] !== 'jobboerse-jobsuche') return void res.writeHead(401).end();
      return serveFile(res, `ba/${ba[1]}-page-${url.searchParams.get('page') ?? '1'}.json`, origin);
    }
    return serveFile(res, url.pathname.slice(1), origin);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    port,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serveFile(res: ServerResponse, relative: string, origin: string): Promise<void> {
  const path = normalize(join(FIXTURE_ROOT, relative));
  if (!path.startsWith(FIXTURE_ROOT)) return void res.writeHead(403).end();
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
  const type = contentTypeFor(path);
  if (/text|json|xml|javascript/.test(type)) {
    const port = new URL(origin).port;
    body = Buffer.from(body.toString('latin1').replaceAll('{{ORIGIN}}', origin).replaceAll('{{PORT}}', port), 'latin1');
  }
  res.writeHead(200, { 'content-type': type, 'content-length': String(body.length) }).end(body);
}
