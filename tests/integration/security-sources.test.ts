/**
 * Credentials written into a source URL would sit in clear text in the database, in logs and in `sources list`
 * (finding 7): `sources add` refuses them with a German message, in the URL, its parameters and its config (pages,
 * sitemaps); `sources list` and `crawl --wait` never print credentials of a source stored before this rule.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command, Resources } from '../../bin/commands/command.ts';
import { sourcesCommand } from '../../bin/commands/sources.ts';
import type { Config } from '../../src/config.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { sources } from '../../src/db/schema.ts';
import { ValidationFailed } from '../../src/errors.ts';
import { withoutCredentials } from '../../src/sources/sources.ts';
import { testContext } from '../helpers/context.ts';

let database: Database;
let ctx: ReturnType<typeof testContext>;

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  ctx = testContext(database.db);
});
afterAll(async () => database?.close());

async function run(command: Command, argv: string[]): Promise<string[]> {
  const out: string[] = [];
  const { values, positionals } = parseArgs({
    args: argv,
    options: command.options as ParseArgsConfig['options'],
    allowPositionals: true,
    strict: true,
  });
  const notUsed = async (): Promise<never> => {
    throw new Error('not used');
  };
  const resources: Resources = {
    shared: true,
    core: async () => ({ ctx, database }) as never,
    queues: notUsed,
    search: notUsed,
    matchService: notUsed,
  };
  const code = await command.run({
    config: { crawl: { baJobsucheUrl: 'https://ba.test.invalid' } } as Config,
    log: ctx.log,
    io: { out: (l) => out.push(l), err: (l) => out.push(l) },
    resources,
    operator: 'pruefer-test',
    values,
    positionals,
    execute: notUsed,
  });
  expect(code).toBe(0);
  return out;
}

const refusal = (argv: string[]) =>
  run(sourcesCommand, argv).then(
    () => undefined,
    (e: unknown) => e as ValidationFailed,
  );

describe('sources add refuses credentials (finding 7)', () => {
  it.each([
    ['in the URL', ['--url', 'https://nutzer:geheim@jobs.example/feed.rss']],
    ['a user name alone', ['--url', 'https://token123@jobs.example/feed.rss']],
    ['in a parameter', ['--url', 'https://jobs.example/feed.rss', '--params', 'next=https://a:b@x.example/']],
    [
      'in the config',
      ['--url', 'https://jobs.example/', '--config', '{"sitemap":"https://a:geheim@jobs.example/s.xml"}'],
    ],
  ])('%s', async (_, args) => {
    const error = await refusal(['add', '--type', 'feed', ...args]);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error!.issues.map((i) => i.message).join(' ')).toMatch(/Zugangsdaten in der URL sind nicht erlaubt/);
    expect(await database.db.$count(sources)).toBe(0);
  });

  it('takes URLs with an @ in the path or query', async () => {
    const out = await run(sourcesCommand, [
      'add',
      '--type',
      'feed',
      '--url',
      'https://jobs.example/feed?kontakt=a@b.de',
    ]);
    expect(out[0]).toMatch(/^Source added: /);
  });
});

describe('sources list never prints credentials', () => {
  it('masks them in a source stored before the rule, and in its last error', async () => {
    await database.db.insert(sources).values({
      name: 'Alt (Test)',
      type: 'feed',
      url: 'https://nutzer:geheim@alt.example/feed.rss',
      legalBasis: 'test fixture',
      lastError: 'http_status: HTTP 401 (https://nutzer:geheim@alt.example/feed.rss)',
    });
    const text = (await run(sourcesCommand, ['list'])).join('\n');
    expect(text).not.toContain('geheim');
    expect(text).not.toContain('nutzer');
    expect(text).toContain('https://***@alt.example/feed.rss');
  });

  it('withoutCredentials masks every URL in a text', () => {
    expect(withoutCredentials('a https://u:p@x.example/ b ftp://u@y.example c https://z.example/?m=a@b')).toBe(
      'a https://***@x.example/ b ftp://***@y.example c https://z.example/?m=a@b',
    );
  });
});
