import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig, SECRET_VARIABLES } from '../../src/config.ts';
import { DEFAULT_SLA_RULES } from '../../src/sla/rules.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('defaults to the embedded mode: PGlite in ./data/db with the queues in it, embedded search, port 3000, 48-hour SLA', () => {
    const config = loadConfig({});
    expect(config.db).toEqual({ kind: 'pglite', dir: expect.stringMatching(/data\/db$/) });
    expect(config.queue).toEqual({ kind: 'embedded' });
    expect(config.search).toEqual({ kind: 'embedded' });
    expect(config.http.port).toBe(3000);
    expect(config.sla.responseHours).toBe(48);
  });

  it('maps the scale-out variables to PostgreSQL, Redis and Meilisearch', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@db.internal:5432/jobs',
      REDIS_URL: 'redis://cache:6379',
      MEILI_URL: 'http://search:7700',
      MEILI_API_KEY: 'secret',
      CRAWL_ALLOWED_PRIVATE_HOSTS: ' 127.0.0.1, Fixture.local ',
    });
    expect(config.db).toEqual({ kind: 'postgres', url: 'postgres://app@db.internal:5432/jobs' });
    expect(config.queue).toEqual({ kind: 'redis', url: 'redis://cache:6379' });
    expect(config.search).toEqual({
      kind: 'meilisearch',
      url: 'http://search:7700',
      apiKey: 'secret',
      index: 'vacancies',
    });
    expect(config.crawl.allowedPrivateHosts).toEqual(['127.0.0.1', 'fixture.local']);
  });

  it('keeps the queues in PostgreSQL when DATABASE_URL is set without REDIS_URL, and in Redis whenever it is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db/jobs' }).queue).toEqual({
      kind: 'postgres',
      url: 'postgres://app@db/jobs',
    });
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379' }).queue).toEqual({ kind: 'redis', url: 'redis://cache:6379' });
  });

  it('lets QUEUE_BACKEND choose, and names what a choice lacks', () => {
    expect(
      loadConfig({ QUEUE_BACKEND: 'postgres', DATABASE_URL: 'postgres://app@db/jobs', REDIS_URL: 'redis://cache' })
        .queue,
    ).toEqual({ kind: 'postgres', url: 'postgres://app@db/jobs' });
    expect(loadConfig({ QUEUE_BACKEND: 'embedded', REDIS_URL: 'redis://cache' }).queue).toEqual({ kind: 'embedded' });
    expect(problemsOf({ QUEUE_BACKEND: 'redis' })).toEqual(['QUEUE_BACKEND: redis needs REDIS_URL']);
    expect(problemsOf({ QUEUE_BACKEND: 'postgres' })).toEqual(['QUEUE_BACKEND: postgres needs DATABASE_URL']);
    expect(problemsOf({ QUEUE_BACKEND: 'embedded', DATABASE_URL: 'postgres://app@db/jobs' })).toEqual([
      expect.stringMatching(/^QUEUE_BACKEND: embedded needs the embedded database/),
    ]);
    expect(problemsOf({ QUEUE_BACKEND: 'kafka' })).toEqual([
      expect.stringMatching(/^QUEUE_BACKEND: .*\(got "kafka"\)$/),
    ]);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).db.kind).toBe('pglite');
  });

  it('rejects PORT=abc with a message naming the variable and the value', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual([expect.stringMatching(/^PORT: .*number.*\(got "abc"\)$/)]);
  });

  it('rejects DATABASE_URL=nonsense', () => {
    expect(problemsOf({ DATABASE_URL: 'nonsense' })).toEqual([
      expect.stringMatching(/^DATABASE_URL: must be a PostgreSQL URL/),
    ]);
  });

  it('reports every problem at once, never printing secrets', () => {
    const problems = problemsOf({
      PORT: '70000',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'localhost',
      SLA_RESPONSE_HOURS: '-1',
      LOG_LEVEL: 'loud',
      MEILI_URL: 'ftp://x',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'MEILI_URL',
      'PORT',
      'REDIS_URL',
      'SLA_RESPONSE_HOURS',
    ]);
  });

  it('maps the employer-promise variables onto the SLA rules, the defaults when unset', () => {
    expect(loadConfig({}).sla).toEqual(DEFAULT_SLA_RULES);
    expect(loadConfig({}).smtp).toBeUndefined();
    const config = loadConfig({
      SLA_RESPONSE_HOURS: '24',
      SLA_CALENDAR: 'business',
      SLA_REMINDER_SHARE: '0.25',
      SLA_ESCALATION_SHARE: '0.75',
      PROPOSAL_CAP_PER_VACANCY: '8',
      PROPOSAL_CAP_PER_CUSTOMER: '2',
      PROPOSAL_REACTION_REMINDER_DAYS: '7',
      FOLLOW_UP_OFFSETS: '7d, 1m,6m',
      SMTP_URL: 'smtps://jobcenter:geheim@mail.example.org:465',
      SMTP_FROM: '"Jobcenter Arbeitgeberservice" <noreply@jobcenter.example.org>',
    });
    expect(config.sla).toEqual({
      ...DEFAULT_SLA_RULES,
      responseHours: 24,
      calendar: 'business',
      reminderShare: 0.25,
      escalationShare: 0.75,
      caps: { perVacancy: 8, perCustomer: 2 },
      reactionReminderDays: 7,
      followUpOffsets: [
        { days: 7, months: 0 },
        { days: 0, months: 1 },
        { days: 0, months: 6 },
      ],
    });
    expect(config.smtp).toEqual({
      url: 'smtps://jobcenter:geheim@mail.example.org:465',
      from: '"Jobcenter Arbeitgeberservice" <noreply@jobcenter.example.org>',
    });
  });

  it('names every bad SLA, proposal and SMTP variable at once, without the SMTP password', () => {
    const problems = problemsOf({
      SLA_CALENDAR: 'lunar',
      SLA_REMINDER_SHARE: '1.5',
      SLA_ESCALATION_SHARE: 'viel',
      PROPOSAL_CAP_PER_VACANCY: '0',
      PROPOSAL_CAP_PER_CUSTOMER: '2.5',
      PROPOSAL_REACTION_REMINDER_DAYS: '400',
      FOLLOW_UP_OFFSETS: '14 Tage',
      SMTP_URL: 'http://jobcenter:geheim@mail.example.org',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'FOLLOW_UP_OFFSETS',
      'PROPOSAL_CAP_PER_CUSTOMER',
      'PROPOSAL_CAP_PER_VACANCY',
      'PROPOSAL_REACTION_REMINDER_DAYS',
      'SLA_CALENDAR',
      'SLA_ESCALATION_SHARE',
      'SLA_REMINDER_SHARE',
      'SMTP_URL',
    ]);
    expect(problems.join('\n')).not.toContain('geheim');
    expect(problems.find((p) => p.startsWith('SMTP_URL'))).toContain('http://jobcenter:***@mail.example.org');
    expect(problemsOf({ FOLLOW_UP_OFFSETS: 'bald' })).toEqual([expect.stringMatching(/^FOLLOW_UP_OFFSETS: must list/)]);
    expect(problemsOf({ FOLLOW_UP_OFFSETS: '0d,3m' })).toEqual([
      expect.stringMatching(/^FOLLOW_UP_OFFSETS: each offset/),
    ]);
  });

  it('refuses a reminder after the escalation, and SMTP without a sender, together with other problems', () => {
    expect(
      problemsOf({
        SLA_REMINDER_SHARE: '0.9',
        SMTP_URL: 'smtp://mail.example.org:587',
        QUEUE_BACKEND: 'redis',
      }).sort(),
    ).toEqual([
      'QUEUE_BACKEND: redis needs REDIS_URL',
      expect.stringMatching(/^SLA_REMINDER_SHARE: the reminder must come before the escalation/),
      expect.stringMatching(/^SMTP_FROM: needed with SMTP_URL/),
    ]);
  });

  it('maps the proxy, kiosk and metrics networks, and names bad entries without showing the kiosk token', () => {
    const config = loadConfig({
      TRUST_PROXY: ' 10.0.0.2, fd00::/8 ',
      KIOSK_NETWORKS: '192.168.50.0/24',
      KIOSK_TOKEN: 'k'.repeat(32),
      METRICS_NETWORKS: '10.1.0.0/16',
    });
    expect(config.network).toEqual({
      trustProxy: ['10.0.0.2', 'fd00::/8'],
      kioskNetworks: ['192.168.50.0/24'],
      kioskRequestsPerMinute: 1200,
      kioskToken: 'k'.repeat(32),
      metricsNetworks: ['10.1.0.0/16'],
    });
    expect(loadConfig({}).network).toMatchObject({ trustProxy: [], kioskNetworks: [], kioskToken: undefined });
    const problems = problemsOf({
      TRUST_PROXY: '10.0.0.0/33',
      KIOSK_NETWORKS: 'proxy.local',
      KIOSK_REQUESTS_PER_MINUTE: '0',
      KIOSK_TOKEN: 'short-secret',
      METRICS_NETWORKS: '10.0.0.0/8,x',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'KIOSK_NETWORKS',
      'KIOSK_REQUESTS_PER_MINUTE',
      'KIOSK_TOKEN',
      'METRICS_NETWORKS',
      'TRUST_PROXY',
    ]);
    expect(problems.join('\n')).not.toContain('short-secret');
  });

  it('takes the public origin and the publisher name for the outside, unset: the request origin and "Jobcenter"', () => {
    expect(loadConfig({}).site).toEqual({ publicUrl: undefined, publisherName: 'Jobcenter' });
    expect(
      loadConfig({ PUBLIC_URL: 'https://Jobbruecke.Stadt.Example:443/', PUBLISHER_NAME: '  Jobcenter   Musterstadt ' })
        .site,
    ).toEqual({ publicUrl: 'https://jobbruecke.stadt.example', publisherName: 'Jobcenter Musterstadt' });
    expect(loadConfig({ PUBLIC_URL: 'https://jobs.example:8443', PUBLISHER_NAME: 'Jobcenter Göppingen' }).site).toEqual(
      {
        publicUrl: 'https://jobs.example:8443',
        publisherName: 'Jobcenter Göppingen',
      },
    );
    // Plain http only where no other job centre could ever read it: a test on one machine.
    for (const local of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']) {
      expect(loadConfig({ PUBLIC_URL: local }).site.publicUrl, local).toBe(local);
    }
    for (const bad of [
      'http://jobbruecke.stadt.example',
      'https://jobbruecke.stadt.example/jobbruecke',
      'https://jobbruecke.stadt.example/?',
      'https://jobbruecke.stadt.example/#stellen',
      'https://admin:geheim@jobbruecke.stadt.example',
      'jobbruecke.stadt.example',
      'ftp://jobbruecke.stadt.example',
    ]) {
      const problems = problemsOf({ PUBLIC_URL: bad });
      expect(problems, bad).toHaveLength(1);
      expect(problems[0], bad).toMatch(/^PUBLIC_URL: must be the https origin the service is reached by/);
      expect(problems[0]).not.toContain('geheim');
    }
    expect(problemsOf({ PUBLISHER_NAME: 'Jobcenter\nMusterstadt' })).toEqual([
      'PUBLISHER_NAME: must be one line of text, without control characters (got "Jobcenter\nMusterstadt")',
    ]);
    expect(problemsOf({ PUBLISHER_NAME: 'J'.repeat(201) })[0]).toMatch(/^PUBLISHER_NAME: must be at most 200/);
  });

  it('parses exactly the variables the README documents, the secret files included', () => {
    expect(ENV_VARIABLES).toEqual(expect.arrayContaining(SECRET_VARIABLES.map((name) => `${name}_FILE`)));
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const table = /## Configuration\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const documented = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]));
    expect(documented.sort()).toEqual([...ENV_VARIABLES].sort());
  });
});

describe('secrets from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A secret file as an operator writes it (`echo … > file`), or with the given ending. */
  const secret = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('reads every secret setting from the file its _FILE names, without the final line break', () => {
    // As systemd hands them over: $CREDENTIALS_DIRECTORY/<name>, given as a full path.
    const credentials = join(dir, 'credentials');
    mkdirSync(credentials);
    const config = loadConfig({
      DATABASE_URL_FILE: secret('credentials/database_url', 'postgres://app:pa55@db.internal:5432/jobs\n'),
      REDIS_URL_FILE: secret('credentials/redis_url', 'redis://:r3dis@cache:6379\r\n'),
      MEILI_URL: 'http://search:7700',
      MEILI_API_KEY_FILE: secret('credentials/meili_api_key', 'm'.repeat(64)),
      SMTP_URL_FILE: secret('credentials/smtp_url', 'smtps://jobcenter:geheim@mail.example.org:465\n\n'),
      SMTP_FROM: 'noreply@jobcenter.example.org',
      KIOSK_TOKEN_FILE: secret('credentials/kiosk_token', `${'k'.repeat(40)}\n`),
    });
    expect(config.db).toEqual({ kind: 'postgres', url: 'postgres://app:pa55@db.internal:5432/jobs' });
    expect(config.queue).toEqual({ kind: 'redis', url: 'redis://:r3dis@cache:6379' });
    expect(config.search).toMatchObject({ kind: 'meilisearch', apiKey: 'm'.repeat(64) });
    expect(config.smtp?.url).toBe('smtps://jobcenter:geheim@mail.example.org:465');
    expect(config.network.kioskToken).toBe('k'.repeat(40));
  });

  it('treats an empty _FILE as unset, like every other variable', () => {
    expect(loadConfig({ DATABASE_URL_FILE: '', REDIS_URL_FILE: ' ' }).db.kind).toBe('pglite');
  });

  it('refuses a secret given both ways, naming both variables and neither value', () => {
    const problems = problemsOf({
      DATABASE_URL: 'postgres://app:from-env@db/jobs',
      DATABASE_URL_FILE: secret('both_database_url', 'postgres://app:from-file@db/jobs\n'),
    });
    expect(problems).toEqual(['DATABASE_URL_FILE: DATABASE_URL is set as well; set one of the two']);
  });

  it('names the variable and the file when the file cannot be used, never its content, with every other problem', () => {
    const missing = join(dir, 'no-such-file');
    const problems = problemsOf({
      DATABASE_URL_FILE: missing,
      REDIS_URL_FILE: dir,
      MEILI_API_KEY_FILE: secret('empty', '\n'),
      SMTP_URL_FILE: secret('env-file', 'SMTP_URL=smtp://mail:geheim@mail.example.org\nSMTP_FROM=x@example.org\n'),
      KIOSK_TOKEN_FILE: secret('huge', 'k'.repeat(65 * 1024)),
      PORT: 'abc',
    });
    expect(problems.sort()).toEqual([
      `DATABASE_URL_FILE: ${missing} does not exist`,
      expect.stringMatching(/^KIOSK_TOKEN_FILE: .*huge is larger than 64 KiB/),
      expect.stringMatching(/^MEILI_API_KEY_FILE: .*empty is empty$/),
      expect.stringMatching(/^PORT: /),
      `REDIS_URL_FILE: ${dir} is not a file`,
      expect.stringMatching(/^SMTP_URL_FILE: .*env-file holds more than one line/),
    ]);
    expect(problems.join('\n')).not.toContain('geheim');
  });

  it('checks a value from a file like one from the environment, and shows none of it', () => {
    const path = secret('bad_database_url', 'mysql://app:geheim@db/jobs\n');
    const problems = problemsOf({
      DATABASE_URL_FILE: path,
      KIOSK_TOKEN_FILE: secret('short_token', 'kurz-und-geheim'),
    });
    expect(problems.sort()).toEqual([
      `DATABASE_URL_FILE: must be a PostgreSQL URL such as postgres://user@host:5432/db (the value read from ${path})`,
      expect.stringMatching(/^KIOSK_TOKEN_FILE: must be at least 32 characters \(the value read from .*short_token\)$/),
    ]);
    expect(problems.join('\n')).not.toMatch(/geheim|mysql/);
  });

  it('takes the queue backend and SMTP sender rules into account for values from files', () => {
    expect(problemsOf({ SMTP_URL_FILE: secret('smtp_url', 'smtp://mail.example.org:587\n') })).toEqual([
      expect.stringMatching(/^SMTP_FROM: needed with SMTP_URL/),
    ]);
  });
});
