/**
 * The only module that reads the environment. One zod schema over the raw variables, every problem reported at
 * once, then mapped to a nested, typed configuration. Secrets may come from files instead (`<NAME>_FILE`), as Docker
 * secrets and systemd credentials deliver them.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { type FollowUpOffset, type SlaRules, slaRules } from './sla/rules.ts';

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

/** A share of the response time, strictly between 0 and 1. */
const share = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .gt(0, 'must be between 0 and 1 (exclusive)')
      .lt(1, 'must be between 0 and 1 (exclusive)')
      .default(fallback),
  );

const wholeNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(min, `must be between ${min} and ${max}`)
      .max(max, `must be between ${min} and ${max}`)
      .default(fallback),
  );

const listOf = (value: string) =>
  value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);

/** A comma-separated list of addresses or CIDRs (`10.0.0.0/8, 192.168.4.7, fd00::/8`). */
const networks = () =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => listOf(v).every((e) => ipaddr.isValidCIDR(e) || ipaddr.isValid(e)), {
        message: 'must list IP addresses or CIDRs such as 10.0.0.0/8, comma-separated',
      })
      .default(''),
  );

/** `14d,3m` → 14 days, 3 months; the format is checked by the schema. */
function followUpOffsets(value: string): FollowUpOffset[] {
  return value.split(',').map((part) => {
    const n = Number.parseInt(part, 10);
    return part.trim().endsWith('m') ? { days: 0, months: n } : { days: n, months: 0 };
  });
}

/** The publisher the exchange feed names when PUBLISHER_NAME is unset. */
export const DEFAULT_PUBLISHER_NAME = 'Jobcenter';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/**
 * The origin people and other job centres reach the service by: https, or http on loopback for a test on one machine
 * (another job centre never reads an address there). Only an origin: the routes are mounted at the root, so a path
 * would name addresses the service does not answer, and credentials would be published in every link.
 */
function isPublicOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
    return (
      (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) &&
      url.username === '' &&
      url.password === '' &&
      url.pathname === '/' &&
      url.search === '' &&
      url.hash === '' &&
      // `new URL` drops an empty query or fragment ("https://host/?"), which would still be a typo worth naming.
      !/[?#]/.test(value)
    );
  } catch {
    return false;
  }
}

/** A value as it may be shown in a problem: URLs without their password. */
function shownValue(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

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
  // Only Redis has a key prefix; unset, it is `jobbruecke:<installation id>` (src/installation.ts).
  QUEUE_PREFIX: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9{][A-Za-z0-9:_.{}-]{0,99}$/, {
        message: 'must be up to 100 letters, digits and : _ . - { } such as jobbruecke:test',
      })
      .refine((v) => !v.endsWith(':'), { message: 'must not end with ":" (BullMQ adds it)' })
      .optional(),
  ),
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
  SLA_CALENDAR: z.preprocess(emptyToUndefined, z.enum(['clock', 'business']).default('clock')),
  SLA_REMINDER_SHARE: share(0.5),
  SLA_ESCALATION_SHARE: share(40 / 48),
  PROPOSAL_CAP_PER_VACANCY: wholeNumber(1, 100, 5),
  PROPOSAL_CAP_PER_CUSTOMER: wholeNumber(1, 100, 3),
  PROPOSAL_REACTION_REMINDER_DAYS: wholeNumber(1, 365, 14),
  FOLLOW_UP_OFFSETS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\s*\d+\s*[dm]\s*(,\s*\d+\s*[dm]\s*)*$/, {
        message: 'must list offsets in days (d) or months (m), comma-separated, such as 14d,3m',
        abort: true,
      })
      .refine((v) => v.split(',').length <= 10, { message: 'must list at most 10 offsets' })
      .refine(
        (v) => followUpOffsets(v).every((o) => (o.days > 0 || o.months > 0) && o.days <= 3660 && o.months <= 120),
        { message: 'each offset must be 1–3660 days or 1–120 months' },
      )
      .default('14d,3m'),
  ),
  SMTP_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => isUrlWithProtocol(v, ['smtp:', 'smtps:']), {
        message: 'must be an SMTP URL such as smtp://user:password@mail.example:587',
      })
      .optional(),
  ),
  SMTP_FROM: z.preprocess(
    emptyToUndefined,
    z.string().regex(/@/, { message: 'must be a sender address such as "Jobcenter" <noreply@example.org>' }).optional(),
  ),
  BA_JOBSUCHE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => isUrlWithProtocol(v, ['http:', 'https:']), { message: 'must be an http(s) URL' })
      .default('https://rest.arbeitsagentur.de/jobboerse/jobsuche-service'),
  ),
  // Private origins the crawler may reach: host:port, [v6]:port or http(s)://host[:port]; a bare host means 80/443.
  CRAWL_ALLOWED_PRIVATE_HOSTS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine(
        (v) =>
          v
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean)
            .every((e) => /^(https?:\/\/)?(\[[\da-f:.]+\]|[a-z\d.-]+|[\da-f:]+)(:\d{1,5})?\/?$/i.test(e)),
        { message: 'must list host:port, [IPv6]:port or http(s)://host:port, comma-separated' },
      )
      .default(''),
  ),
  CRAWL_CONTACT_URL: z.preprocess(emptyToUndefined, z.string().default('https://jobbruecke.example/crawler')),
  /** Postings without an end date close after this many days since first seen, unless the employer's own source lists them. */
  VACANCY_STALE_AFTER_DAYS: wholeNumber(7, 3650, 120),
  TRUST_PROXY: networks(),
  KIOSK_NETWORKS: networks(),
  KIOSK_REQUESTS_PER_MINUTE: wholeNumber(1, 100_000, 1_200),
  // A shared secret, not a sign-in: long enough that guessing it is hopeless, since it only buys a larger budget.
  KIOSK_TOKEN: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  METRICS_NETWORKS: networks(),
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine(isPublicOrigin, {
        message:
          'must be the https origin the service is reached by, such as https://jobbruecke.stadt.example, without path or query',
      })
      .transform((v) => new URL(v).origin)
      .optional(),
  ),
  PUBLISHER_NAME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[^\p{C}]*$/u, { message: 'must be one line of text, without control characters' })
      .transform((v) => v.replace(/\s+/g, ' ').trim())
      .pipe(z.string().min(1, 'must not be blank').max(200, 'must be at most 200 characters'))
      .default(DEFAULT_PUBLISHER_NAME),
  ),
  DEMO_DATA: z.preprocess(emptyToUndefined, z.enum(['auto', 'off']).default('auto')),
  LOG_LEVEL: z.preprocess(emptyToUndefined, LogLevel.default('info')),
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
});

/**
 * The settings that carry a secret (a password in a URL, a key, a token). Each may be given as `<NAME>_FILE`, the path
 * of a file holding the value, so the secret stays out of the environment, which `ps e`, `/proc/<pid>/environ`,
 * `docker inspect` and `systemctl show` reveal.
 */
export const SECRET_VARIABLES = ['DATABASE_URL', 'REDIS_URL', 'MEILI_API_KEY', 'SMTP_URL', 'KIOSK_TOKEN'] as const;
type SecretVariable = (typeof SECRET_VARIABLES)[number];

/** `DATABASE_URL` → `DATABASE_URL_FILE`. */
const fileVariableOf = (name: SecretVariable) => `${name}_FILE` as const;

/** Every variable the configuration reads; the README's configuration table lists the same. */
export const ENV_VARIABLES = [...Object.keys(EnvSchema.shape), ...SECRET_VARIABLES.map(fileVariableOf)];

/** Far above any URL or key; a larger file is the wrong file, and is not read into memory. */
const SECRET_FILE_MAX_BYTES = 64 * 1024;

export interface Config {
  env: 'development' | 'production' | 'test';
  dataDir: string;
  db: { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };
  /**
   * Where BullMQ keeps the queues: `embedded` in the embedded database (PGlite), `postgres` in the PostgreSQL
   * database (schema `bullmq`), `redis` in Redis. See {@link queueBackend} for the default. Redis keys start with
   * `prefix` when `QUEUE_PREFIX` sets one, else with `jobbruecke:<installation id>` (queues/backend.ts).
   */
  queue: { kind: 'embedded' } | { kind: 'postgres'; url: string } | { kind: 'redis'; url: string; prefix?: string };
  search: { kind: 'embedded' } | { kind: 'meilisearch'; url: string; apiKey: string | undefined; index: string };
  http: { host: string; port: number };
  /** Who the client is and which budget it gets (api/middleware/client-address.ts), and who may scrape /metrics. */
  network: {
    trustProxy: string[];
    kioskNetworks: string[];
    kioskRequestsPerMinute: number;
    kioskToken: string | undefined;
    metricsNetworks: string[];
  };
  /** The rules of the employer promise (src/sla/rules.ts); the composition root puts them into the context. */
  sla: SlaRules;
  /**
   * SMTP delivery of notifications, when `SMTP_URL` is set; without it notifications stay in the in-app inbox.
   */
  smtp: { url: string; from: string } | undefined;
  crawl: {
    /** URL of `ba_jobsuche` sources added without one; each source stores its own. */
    baJobsucheUrl: string;
    allowedPrivateHosts: string[];
    contactUrl: string;
  };
  vacancies: {
    /** Days after which a posting without an end date is closed as stale (src/vacancies/staleness.ts). */
    staleAfterDays: number;
  };
  /**
   * How the service presents itself to the outside: `publicUrl` (`PUBLIC_URL`) is the origin every absolute address it
   * emits is built on, unset: the origin of each request, which behind a TLS-terminating proxy is the internal one;
   * `publisherName` names the job centre in the exchange feed. The shape of the feed's own settings (api/exchange.ts).
   */
  site: { publicUrl: string | undefined; publisherName: string };
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

/**
 * Parses the environment, reading the secrets given as files; throws ConfigError listing every problem. A problem
 * with a secret names the variable and the file, never the file's content.
 */
export function loadConfig(rawEnv: Record<string, string | undefined> = process.env): Config {
  const { env, fromFile, problems: fileProblems } = withSecretFiles(rawEnv);
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success || fileProblems.length > 0) {
    const problems = (parsed.error?.issues ?? []).map((issue) => {
      const name = issue.path.join('.');
      const file = fromFile.get(name);
      if (file) return `${name}_FILE: ${issue.message} (the value read from ${file})`;
      const value = env[name];
      const shown =
        name.includes('KEY') || name.includes('TOKEN') || value === undefined ? '' : ` (got "${shownValue(value)}")`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError([...fileProblems, ...problems]);
  }
  const e = parsed.data;
  // Problems that involve more than one variable, reported together.
  const queue = queueBackend(e);
  const sla = slaRulesOf(e);
  const smtp = smtpOf(e);
  if (typeof queue === 'string' || typeof sla === 'string' || typeof smtp === 'string') {
    throw new ConfigError([queue, sla, smtp].filter((p): p is string => typeof p === 'string'));
  }
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
    network: {
      trustProxy: listOf(e.TRUST_PROXY),
      kioskNetworks: listOf(e.KIOSK_NETWORKS),
      kioskRequestsPerMinute: e.KIOSK_REQUESTS_PER_MINUTE,
      kioskToken: e.KIOSK_TOKEN,
      metricsNetworks: listOf(e.METRICS_NETWORKS),
    },
    sla,
    smtp,
    crawl: {
      baJobsucheUrl: e.BA_JOBSUCHE_URL,
      allowedPrivateHosts: e.CRAWL_ALLOWED_PRIVATE_HOSTS.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      contactUrl: e.CRAWL_CONTACT_URL,
    },
    vacancies: { staleAfterDays: e.VACANCY_STALE_AFTER_DAYS },
    site: { publicUrl: e.PUBLIC_URL, publisherName: e.PUBLISHER_NAME },
    log: { level: e.LOG_LEVEL },
    demoData: e.DEMO_DATA,
  };
}

/**
 * The environment with every `<NAME>_FILE` replaced by the content of its file under `<NAME>`, which variables came
 * from which file, and what went wrong: both forms set, or a file that cannot be read or holds no single value.
 */
function withSecretFiles(raw: Record<string, string | undefined>): {
  env: Record<string, string | undefined>;
  fromFile: Map<string, string>;
  problems: string[];
} {
  const env = { ...raw };
  const fromFile = new Map<string, string>();
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const fileVariable = fileVariableOf(name);
    const path = emptyToUndefined(raw[fileVariable]);
    if (typeof path !== 'string') continue;
    if (emptyToUndefined(raw[name]) !== undefined) {
      problems.push(`${fileVariable}: ${name} is set as well; set one of the two`);
      continue;
    }
    const read = readSecretFile(path);
    if ('problem' in read) {
      problems.push(`${fileVariable}: ${read.problem}`);
      continue;
    }
    env[name] = read.value;
    fromFile.set(name, path);
  }
  return { env, fromFile, problems };
}

/**
 * The value in a secret file, without the line break that `echo` and editors leave at its end (Docker and systemd
 * pass the file on as it is). Only a regular file is read: a FIFO or device would block the start or never end.
 */
function readSecretFile(path: string): { value: string } | { problem: string } {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { problem: `${path} is not a file` };
    if (stat.size > SECRET_FILE_MAX_BYTES) return { problem: `${path} is larger than 64 KiB, not a secret value` };
    const value = readFileSync(path, 'utf8').replace(/[\r\n]+$/, '');
    if (value.trim() === '') return { problem: `${path} is empty` };
    if (/[\r\n]/.test(value)) return { problem: `${path} holds more than one line; it must hold only the value` };
    return { value };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read by this account (permission denied)'
          : `cannot be read (${code ?? (err as Error).message})`;
    return { problem: `${path} ${reason}` };
  }
}

/**
 * The queue backend: QUEUE_BACKEND if set, else Redis when REDIS_URL is set, else the database's own: PostgreSQL with
 * DATABASE_URL, otherwise the embedded database. Returns the problem when QUEUE_BACKEND asks for something missing.
 */
function queueBackend(e: z.infer<typeof EnvSchema>): Config['queue'] | string {
  const kind = e.QUEUE_BACKEND ?? (e.REDIS_URL ? 'redis' : e.DATABASE_URL ? 'postgres' : 'embedded');
  switch (kind) {
    case 'redis':
      if (!e.REDIS_URL) return 'QUEUE_BACKEND: redis needs REDIS_URL';
      return e.QUEUE_PREFIX ? { kind, url: e.REDIS_URL, prefix: e.QUEUE_PREFIX } : { kind, url: e.REDIS_URL };
    case 'postgres':
      return e.DATABASE_URL ? { kind, url: e.DATABASE_URL } : 'QUEUE_BACKEND: postgres needs DATABASE_URL';
    case 'embedded':
      return e.DATABASE_URL
        ? 'QUEUE_BACKEND: embedded needs the embedded database; unset DATABASE_URL or choose postgres'
        : { kind };
  }
}

/** SMTP delivery when SMTP_URL is set; it needs a sender. */
function smtpOf(e: z.infer<typeof EnvSchema>): Config['smtp'] | string {
  if (!e.SMTP_URL) return undefined;
  if (!e.SMTP_FROM) return 'SMTP_FROM: needed with SMTP_URL (the sender address of notifications)';
  return { url: e.SMTP_URL, from: e.SMTP_FROM };
}

/** The SLA rules from the variables; the bounds were checked by the schema, what spans two variables here. */
function slaRulesOf(e: z.infer<typeof EnvSchema>): SlaRules | string {
  if (e.SLA_REMINDER_SHARE >= e.SLA_ESCALATION_SHARE) {
    return `SLA_REMINDER_SHARE: the reminder must come before the escalation (SLA_ESCALATION_SHARE ${e.SLA_ESCALATION_SHARE})`;
  }
  return slaRules({
    responseHours: e.SLA_RESPONSE_HOURS,
    calendar: e.SLA_CALENDAR,
    reminderShare: e.SLA_REMINDER_SHARE,
    escalationShare: e.SLA_ESCALATION_SHARE,
    caps: { perVacancy: e.PROPOSAL_CAP_PER_VACANCY, perCustomer: e.PROPOSAL_CAP_PER_CUSTOMER },
    reactionReminderDays: e.PROPOSAL_REACTION_REMINDER_DAYS,
    followUpOffsets: followUpOffsets(e.FOLLOW_UP_OFFSETS),
  });
}
