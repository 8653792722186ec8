import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig } from '../../src/config.ts';

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

  it('parses exactly the variables the README documents', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const table = /## Configuration\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const documented = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]));
    expect(documented.sort()).toEqual([...ENV_VARIABLES].sort());
  });
});
