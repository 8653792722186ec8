/**
 * What `sources add` and `crawl --wait` tell an administrator, through the real CLI (no service running, so each
 * command opens the embedded database itself): a missing legal basis, the BA source's default URL, a listing that
 * answered 304, and a source that failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunBudget, cliTestTimeout, measureCliStart, runCli } from '../helpers/cli.ts';

const BA_URL = 'https://ba.test.invalid/jobboerse/jobsuche-service';
const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-cli-crawl-'));
let board: Server;
let origin: string;

const START_MS = measureCliStart();

/** No service runs here: each command opens the embedded database, and its queues, itself. */
function cli(args: string[]) {
  return runCli(
    args,
    {
      DATA_DIR: dataDir,
      DEMO_DATA: 'off',
      CRAWL_ALLOWED_PRIVATE_HOSTS: new URL(origin).host,
      BA_JOBSUCHE_URL: BA_URL,
      LOG_LEVEL: 'warn',
    },
    cliRunBudget(START_MS),
  );
}

/** Two synthetic postings behind an ETag, so the second crawl gets 304 Not Modified; anything else is 404. */
function feed(): string {
  const item = (n: number, title: string) =>
    `<item><guid isPermaLink="false">cli-${n}</guid><title>${title}</title><link>${origin}/stellen/${n}</link>` +
    `<description>Synthetische Teststelle ${n} in Stuttgart, Vollzeit.</description></item>`;
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Testbörse</title>${item(1, 'Koch (m/w/d)')}${item(2, 'Verkäufer (m/w/d)')}</channel></rss>`;
}

beforeAll(async () => {
  board = createServer((req, res) => {
    if (req.url !== '/feed.rss') return void res.writeHead(404).end();
    if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"v1"' }).end(feed());
  });
  await new Promise<void>((listening) => board.listen(0, '127.0.0.1', listening));
  origin = `http://127.0.0.1:${(board.address() as AddressInfo).port}`;
});

afterAll(async () => {
  board?.closeAllConnections();
  await new Promise((closed) => board?.close(closed));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sources add', () => {
  it('names a missing legal basis in German, with nothing else', { timeout: cliTestTimeout(START_MS, 1) }, async () => {
    const r = await cli(['sources', 'add', '--type', 'ba_jobsuche']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Error: Für Quellen vom Typ ba_jobsuche muss die Rechtsgrundlage angegeben werden (--legal-basis)',
    );
  });

  it('lists each invalid field on its own line', { timeout: cliTestTimeout(START_MS, 1) }, async () => {
    const r = await cli(['sources', 'add', '--type', 'feed', '--url', 'not a url']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['Error: Ungültige Quelle', expect.stringMatching(/^ {2}url: /)]);
  });

  it('gives a BA source without --url the address in BA_JOBSUCHE_URL', {
    timeout: cliTestTimeout(START_MS, 2),
  }, async () => {
    const added = await cli(['sources', 'add', '--type', 'ba_jobsuche', '--legal-basis', 'Vereinbarung mit der BA']);
    expect(added.stderr).toBe('');
    const id = /Source added: ([0-9a-f-]{36}) \(ba_jobsuche, DISABLED/.exec(added.stdout)?.[1];
    expect(id).toBeDefined();
    const listed = await cli(['sources', 'list']);
    expect(listed.stdout).toContain(`    ${BA_URL}\n`);
  });
});

describe('crawl --wait', () => {
  it('reports a failed source with its first error and exit code 1, and an unchanged listing as unchanged', {
    timeout: cliTestTimeout(START_MS, 4),
  }, async () => {
    const add = async (name: string, url: string) => {
      const r = await cli(['sources', 'add', '--type', 'feed', '--url', url, '--name', name]);
      expect(r.stderr).toBe('');
      return /Source added: ([0-9a-f-]{36})/.exec(r.stdout)?.[1] as string;
    };
    const good = await add('Testbörse', `${origin}/feed.rss`);
    const gone = await add('Verschwunden', `${origin}/gone.rss`);

    const first = await cli(['crawl', '--all', '--wait']);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(
      `Testbörse (${good}): fetched 2, new 2, updated 0, unchanged 0, closed 0, duplicates 0, errors 0\n`,
    );
    expect(first.stderr).toContain(`Verschwunden (${gone}): failed: http_status: HTTP 404 (${origin}/gone.rss)\n`);

    const again = await cli(['crawl', '--source', good, '--wait']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Testbörse (${good}): unchanged since the last crawl\n`);
    expect(again.stdout).not.toContain('listing incomplete');
  });
});
