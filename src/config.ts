/**
 * The only module that reads the environment. One zod schema over the raw variables, every problem reported at
 * once, then mapped to a nested, typed configuration.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function isUrlWithProtocol(value: string, protocols: string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname.length > 0;
  } catch {
    return false;
  }
}

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const EnvSchema = z.object({
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => isUrlWithProtocol(v, ['postgres:', 'postgresql:']), {
        message: 'must be a PostgreSQL URL such as postgres://user@host:5432/db',
      })
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => isUrlWithProtocol(v, ['redis:', 'rediss:']), {
        message: 'must be a Redis URL such as redis://127.0.0.1:6379',
      })
      .optional(),
  ),
  QUEUE_BACKEND: z.preprocess(emptyToUndefined, z.enum(['embedded', 'redis', 'postgres']).optional()),
  MEILI_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => isUrlWithProtocol(v, ['http:', 'https:']), { message: 'must be an http(s) URL' })
      .optional(),
  ),
  MEILI_API_KEY: z.preprocess(emptyToUndefined, z.string().optional()),
  MEILI_INDEX: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('vacancies'),
  ),
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  PORT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(3000),
  ),
  SLA_RESPONSE_HOURS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .positive('must be positive')
      .max(24 * 30)
      .default(48),
  ),
  BA_JOBSUCHE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => isUrlWithProtocol(v, ['http:', 'https:']), { message: 'must be an http(s) URL' })
      .default('https://rest.arbeitsagentur.de/jobboerse/jobsuche-service'),
  ),
  CRAWL_ALLOWED_PRIVATE_HOSTS: z.preprocess(emptyToUndefined, z.string().default('')),
  CRAWL_CONTACT_URL: z.preprocess(emptyToUndefined, z.string().default('https://jobbruecke.example/crawler')),
  DEMO_DATA: z.preprocess(emptyToUndefined, z.enum(['auto', 'off']).default('auto')),
  LOG_LEVEL: z.preprocess(emptyToUndefined, LogLevel.default('info')),
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
});

/** Every variable the configuration reads; the README's configuration table lists the same. */
export const ENV_VARIABLES = Object.keys(EnvSchema.shape);

export interface Config {
  env: 'development' | 'production' | 'test';
  dataDir: string;
  db: { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };
  /**
   * Where BullMQ keeps the queues: `embedded` in the embedded database (PGlite), `postgres` in the PostgreSQL
   * database (schema `bullmq`), `redis` in Redis. See {@link queueBackend} for the default.
   */
  queue: { kind: 'embedded' } | { kind: 'postgres'; url: string } | { kind: 'redis'; url: string };
  search: { kind: 'embedded' } | { kind: 'meilisearch'; url: string; apiKey: string | undefined; index: string };
  http: { host: string; port: number };
  sla: { responseHours: number };
  crawl: {
    /** URL of `ba_jobsuche` sources added without one; each source stores its own. */
    baJobsucheUrl: string;
    allowedPrivateHosts: string[];
    contactUrl: string;
  };
  log: { level: z.infer<typeof LogLevel> };
  /** Seed the demo city into an empty embedded database at start ('auto'), or never ('off'). */
  demoData: 'auto' | 'off';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = env[name];
      const shown = name.includes('KEY') || value === undefined ? '' : ` (got "${value}")`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const queue = queueBackend(e);
  if (typeof queue === 'string') throw new ConfigError([queue]);
  const dataDir = resolve(e.DATA_DIR);
  return {
    env: e.NODE_ENV,
    dataDir,
    db: e.DATABASE_URL ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'pglite', dir: resolve(dataDir, 'db') },
    queue,
    search: e.MEILI_URL
      ? { kind: 'meilisearch', url: e.MEILI_URL, apiKey: e.MEILI_API_KEY, index: e.MEILI_INDEX }
      : { kind: 'embedded' },
    http: { host: e.HOST, port: e.PORT },
    sla: { responseHours: e.SLA_RESPONSE_HOURS },
    crawl: {
      baJobsucheUrl: e.BA_JOBSUCHE_URL,
      allowedPrivateHosts: e.CRAWL_ALLOWED_PRIVATE_HOSTS.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      contactUrl: e.CRAWL_CONTACT_URL,
    },
    log: { level: e.LOG_LEVEL },
    demoData: e.DEMO_DATA,
  };
}

/**
 * The queue backend: QUEUE_BACKEND if set, else Redis when REDIS_URL is set, else the database's own: PostgreSQL with
 * DATABASE_URL, otherwise the embedded database. Returns the problem when QUEUE_BACKEND asks for something missing.
 */
function queueBackend(e: z.infer<typeof EnvSchema>): Config['queue'] | string {
  const kind = e.QUEUE_BACKEND ?? (e.REDIS_URL ? 'redis' : e.DATABASE_URL ? 'postgres' : 'embedded');
  switch (kind) {
    case 'redis':
      return e.REDIS_URL ? { kind, url: e.REDIS_URL } : 'QUEUE_BACKEND: redis needs REDIS_URL';
    case 'postgres':
      return e.DATABASE_URL ? { kind, url: e.DATABASE_URL } : 'QUEUE_BACKEND: postgres needs DATABASE_URL';
    case 'embedded':
      return e.DATABASE_URL
        ? 'QUEUE_BACKEND: embedded needs the embedded database; unset DATABASE_URL or choose postgres'
        : { kind };
  }
}
