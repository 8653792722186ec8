/**
 * The endpoint that runs forwarded CLI commands inside the service (finding 5): on a listener of its own, bound to
 * 127.0.0.1 and never part of the public app; the token only as `Authorization: Bearer …`; service.json readable by
 * the service's account only, also when an older file had wider permissions; and the audit trail names the service's
 * OS account with the caller's login only as claimed.
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import {
  CLI_HOST,
  forwardToService,
  operatorOf,
  publishService,
  runningService,
  serviceToken,
  startCliListener,
} from '../../bin/service-link.ts';
import { openPglite } from '../../src/db/client.ts';
import { testContext } from '../helpers/context.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-cli-link-'));
const token = serviceToken();
const runs: Array<{ args: string[]; operator: string }> = [];
let cli: { server: Server; port: number };

beforeAll(async () => {
  cli = await startCliListener(token, async (args, io, operator) => {
    runs.push({ args, operator });
    io.out(`lief: ${args.join(' ')}`);
    return 0;
  });
});

afterAll(async () => {
  cli?.server.closeAllConnections();
  await new Promise((closed) => cli?.server.close(closed));
  rmSync(dataDir, { recursive: true, force: true });
});

const post = (headers: Record<string, string>, body: unknown = { args: ['sources', 'list'] }) =>
  fetch(`http://${CLI_HOST}:${cli.port}/internal/cli`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('the CLI listener', () => {
  it('listens on 127.0.0.1 on a port of its own', () => {
    const address = cli.server.address();
    expect(address).toMatchObject({ address: '127.0.0.1' });
    expect(cli.port).toBeGreaterThan(0);
  });

  it('is not part of the public app', async () => {
    const database = await openPglite(undefined);
    try {
      const app = createApp({
        ctx: testContext(database.db),
        search: undefined as never,
        matchService: undefined as never,
        health: async () => ({ status: 'up', components: {} as never }),
      });
      const res = await app.request('/internal/cli', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ args: ['sources', 'list'] }),
      });
      expect(res.status).toBe(404);
    } finally {
      await database.close();
    }
  });

  it('takes the token only as "Authorization: Bearer <token>": a bare or wrong token is refused', async () => {
    const before = runs.length;
    expect((await post({ authorization: token })).status).toBe(403);
    expect((await post({ authorization: `Bearer ${token}x` })).status).toBe(403);
    expect((await post({ authorization: `Basic ${token}` })).status).toBe(403);
    expect((await post({})).status).toBe(403);
    expect(runs.length).toBe(before);
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(200);
    expect(runs.length).toBe(before + 1);
  });

  it('records the service account, with the caller-supplied name marked as claimed', async () => {
    const me = userInfo().username;
    await (await post({ authorization: `Bearer ${token}` }, { args: ['sources', 'list'], operator: 'mallory' })).text();
    expect(runs.at(-1)?.operator).toBe(`${me} (claimed: mallory)`);
    await (
      await post(
        { authorization: `Bearer ${token}` },
        { args: ['sources', 'list'], operator: 'x\ny", "osUser": "root' },
      )
    ).text();
    expect(runs.at(-1)?.operator).toBe(`${me} (claimed: unknown)`);
    await (await post({ authorization: `Bearer ${token}` }, { args: ['sources', 'list'], operator: me })).text();
    expect(runs.at(-1)?.operator).toBe(me);
    expect(operatorOf('alice', 'jobbruecke')).toBe('jobbruecke (claimed: alice)');
  });

  it('runs a forwarded command end to end through service.json', async () => {
    publishService(dataDir, { host: CLI_HOST, port: cli.port, token });
    const service = runningService(dataDir);
    expect(service).toMatchObject({ host: '127.0.0.1', port: cli.port });
    const out: string[] = [];
    const code = await forwardToService(service!, ['sources', 'list'], { out: (l) => out.push(l), err: () => {} });
    expect(code).toBe(0);
    expect(out).toEqual(['lief: sources list']);
    expect(runs.at(-1)?.operator).toBe(userInfo().username);
  });
});

describe('service.json', () => {
  it('is mode 0600 even when an older file had wider permissions', () => {
    const file = join(dataDir, 'service.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    chmodSync(file, 0o666);
    publishService(dataDir, { host: CLI_HOST, port: 1234, token: serviceToken() });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
