/**
 * The system of record. The search index and the match table are derived from it and can be rebuilt at any time.
 * Migrations are generated from this file (`npm run db:generate`) and run unchanged on PGlite and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const appMeta = pgTable('app_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: updatedAt(),
});

export const branches = pgTable('branches', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  plz: text('plz').notNull(),
  /** Postcodes of the branch's catchment area: employers there are served by this branch. */
  catchmentPlz: text('catchment_plz').array().notNull().default(sql`'{}'::text[]`),
});

export const employers = pgTable(
  'employers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    normalisedName: text('normalised_name').notNull(),
    plz: text('plz'),
    branchId: integer('branch_id').references(() => branches.id),
    createdAt: createdAt(),
  },
  (t) => [index('employers_normalised_name_idx').on(t.normalisedName)],
);

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ['employer', 'caseworker', 'branch_lead', 'admin'] }).notNull(),
  branchId: integer('branch_id').references(() => branches.id),
  employerId: uuid('employer_id').references(() => employers.id),
  createdAt: createdAt(),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
});

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id),
  /** SHA-256 of the token; the token itself is shown once and never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  label: text('label').notNull().default('cli'),
  createdAt: createdAt(),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});

export const sources = pgTable('sources', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  type: text('type', { enum: ['ba_jobsuche', 'jsonld', 'personio', 'feed', 'browser', 'employer'] }).notNull(),
  url: text('url').notNull(),
  params: jsonb('params').$type<Record<string, string>>().notNull().default({}),
  config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
  enabled: boolean('enabled').notNull().default(true),
  /** Under which legal basis or terms this source is crawled (required for every crawled source). */
  legalBasis: text('legal_basis').notNull(),
  everyMinutes: integer('every_minutes').notNull().default(120),
  crawlState: jsonb('crawl_state').$type<Record<string, unknown>>().notNull().default({}),
  /** Set while a crawl runs, so two workers (or a worker and the CLI) never crawl one source at once. */
  crawlStartedAt: timestamp('crawl_started_at', { withTimezone: true }),
  lastRunAt: timestamp('last_run_at', { withTimezone: true }),
  lastRunStats: jsonb('last_run_stats').$type<Record<string, number>>(),
  lastError: text('last_error'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const crawlRuns = pgTable(
  'crawl_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    status: text('status', { enum: ['running', 'succeeded', 'failed', 'partial'] })
      .notNull()
      .default('running'),
    complete: boolean('complete').notNull().default(false),
    stats: jsonb('stats').$type<Record<string, number>>().notNull().default({}),
    errors: jsonb('errors').$type<Array<{ url?: string; kind: string; message: string }>>().notNull().default([]),
  },
  (t) => [index('crawl_runs_source_idx').on(t.sourceId, t.startedAt)],
);

export const vacancies = pgTable(
  'vacancies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    status: text('status', { enum: ['open', 'closed', 'filled'] })
      .notNull()
      .default('open'),
    /** Human-readable order number for employer submissions (Auftragsbestätigung). */
    referenceNumber: text('reference_number').unique(),
    employerId: uuid('employer_id').references(() => employers.id),
    employerName: text('employer_name'),
    branchId: integer('branch_id').references(() => branches.id),
    submittedBy: uuid('submitted_by').references(() => users.id),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    kldbCode: text('kldb_code'),
    kldbConfidence: real('kldb_confidence').notNull().default(0),
    kldbNeedsReview: boolean('kldb_needs_review').notNull().default(false),
    kldbConfirmedBy: uuid('kldb_confirmed_by').references(() => users.id),
    requirementLevel: smallint('requirement_level'),
    plz: text('plz'),
    place: text('place'),
    lat: doublePrecision('lat'),
    lon: doublePrecision('lon'),
    remote: boolean('remote').notNull().default(false),
    workingTimes: text('working_times').array().notNull().default(sql`'{}'::text[]`),
    contractType: text('contract_type', { enum: ['befristet', 'unbefristet'] }),
    offerType: text('offer_type', { enum: ['arbeit', 'ausbildung', 'selbstaendigkeit', 'praktikum'] })
      .notNull()
      .default('arbeit'),
    salary: jsonb('salary').$type<{ min?: number; max?: number; currency: string; unit: string }>(),
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    licences: text('licences').array().notNull().default(sql`'{}'::text[]`),
    languages: jsonb('languages').$type<Array<{ language: string; level: string }>>().notNull().default([]),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    validThrough: timestamp('valid_through', { withTimezone: true }),
    startDate: date('start_date', { mode: 'date' }),
    contentHash: text('content_hash'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closeReason: text('close_reason'),
  },
  (t) => [index('vacancies_kldb_idx').on(t.kldbCode), index('vacancies_branch_idx').on(t.branchId, t.status)],
);

/**
 * Blocking keys for deduplication across sources (employer + title + place, URLs …): a new posting is compared only
 * with vacancies sharing a key. A table with a B-tree rather than an array column, so a batch's thousands of keys
 * are index lookups.
 */
export const vacancyDedupeKeys = pgTable(
  'vacancy_dedupe_keys',
  {
    key: text('key').notNull(),
    vacancyId: uuid('vacancy_id')
      .notNull()
      .references(() => vacancies.id),
  },
  (t) => [primaryKey({ columns: [t.key, t.vacancyId] }), index('vacancy_dedupe_keys_vacancy_idx').on(t.vacancyId)],
);

/** One row per (source, external id): the links that make one vacancy out of several postings. */
export const vacancySources = pgTable(
  'vacancy_sources',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    vacancyId: uuid('vacancy_id')
      .notNull()
      .references(() => vacancies.id),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    externalId: text('external_id').notNull(),
    url: text('url'),
    originUrl: text('origin_url'),
    contentHash: text('content_hash').notNull(),
    status: text('status', { enum: ['active', 'missing', 'gone'] })
      .notNull()
      .default('active'),
    /** Consecutive complete crawls that did not list this posting; two close it. */
    missingCount: integer('missing_count').notNull().default(0),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('vacancy_sources_source_external_uq').on(t.sourceId, t.externalId),
    index('vacancy_sources_vacancy_idx').on(t.vacancyId),
    index('vacancy_sources_url_idx').on(t.url),
    index('vacancy_sources_origin_url_idx').on(t.originUrl),
  ],
);

/** Every state change of a vacancy: nothing is deleted or closed silently. */
export const vacancyEvents = pgTable(
  'vacancy_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    vacancyId: uuid('vacancy_id')
      .notNull()
      .references(() => vacancies.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    kind: text('kind').notNull(),
    actorUserId: uuid('actor_user_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('vacancy_events_vacancy_idx').on(t.vacancyId, t.at)],
);

export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    displayName: text('display_name').notNull(),
    branchId: integer('branch_id')
      .notNull()
      .references(() => branches.id),
    profileGroup: text('profile_group', {
      enum: ['market', 'activation', 'support', 'complex', 'not_available', 'integrated'],
    }).notNull(),
    targetKldbCodes: text('target_kldb_codes').array().notNull(),
    qualifications: text('qualifications').array().notNull().default(sql`'{}'::text[]`),
    skills: text('skills').array().notNull().default(sql`'{}'::text[]`),
    licences: text('licences').array().notNull().default(sql`'{}'::text[]`),
    languages: jsonb('languages').$type<Array<{ language: string; level: string }>>().notNull().default([]),
    plz: text('plz').notNull(),
    lat: doublePrecision('lat').notNull(),
    lon: doublePrecision('lon').notNull(),
    maxCommuteKm: real('max_commute_km').notNull(),
    workingTimes: text('working_times').array().notNull(),
    availableFrom: date('available_from', { mode: 'date' }).notNull(),
    consent: boolean('consent').notNull().default(false),
    blockedUntil: timestamp('blocked_until', { withTimezone: true }),
    // Protected attributes (AGG): kept for statistics only, never read by the matcher.
    gender: text('gender'),
    birthYear: smallint('birth_year'),
    nationality: text('nationality'),
    religion: text('religion'),
    severelyDisabled: boolean('severely_disabled'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('customers_profile_idx').on(t.profileGroup), index('customers_branch_idx').on(t.branchId)],
);

/**
 * Derived: the latest ranked, explained match list of one vacancy (its best customers) or one customer (their best
 * vacancies), as computed by the `match` queue. Rebuildable at any time; kept so a caseworker's view can be served
 * fast and a decision reconstructed later.
 */
export const matches = pgTable(
  'matches',
  {
    subjectType: text('subject_type', { enum: ['vacancy', 'customer'] }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    results: jsonb('results').$type<unknown[]>().notNull(),
    excludedCount: integer('excluded_count').notNull().default(0),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subjectType, t.subjectId] })],
);

export const proposals = pgTable(
  'proposals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    vacancyId: uuid('vacancy_id')
      .notNull()
      .references(() => vacancies.id),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    status: text('status', { enum: ['open', 'accepted', 'rejected', 'hired', 'withdrawn'] })
      .notNull()
      .default('open'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    outcomeAt: timestamp('outcome_at', { withTimezone: true }),
    outcomeNote: text('outcome_note'),
  },
  (t) => [
    uniqueIndex('proposals_vacancy_customer_uq').on(t.vacancyId, t.customerId),
    index('proposals_customer_idx').on(t.customerId),
  ],
);

/** SLA milestones per employer vacancy; the unique key makes each event happen once even if a job runs twice. */
export const slaEvents = pgTable(
  'sla_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    vacancyId: uuid('vacancy_id')
      .notNull()
      .references(() => vacancies.id),
    kind: text('kind', { enum: ['started', 'reminder', 'escalation', 'breach', 'responded'] }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid('actor_user_id'),
  },
  (t) => [uniqueIndex('sla_events_vacancy_kind_uq').on(t.vacancyId, t.kind)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid('actor_user_id'),
    actorRole: text('actor_role'),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id'),
    purpose: text('purpose'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_object_idx').on(t.objectType, t.objectId), index('audit_log_actor_idx').on(t.actorUserId)],
);

/**
 * Transactional outbox, written in the same transaction as the change. It is a log: the search index follows it by
 * cursor (id), and `match` rows are relayed into `match` jobs and marked processed when the re-match is done.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    topic: text('topic', { enum: ['index', 'match'] }).notNull(),
    aggregateType: text('aggregate_type', { enum: ['vacancy', 'customer'] }).notNull(),
    aggregateId: uuid('aggregate_id').notNull(),
    createdAt: createdAt(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [index('outbox_pending_idx').on(t.topic, t.id).where(sql`${t.processedAt} is null`)],
);

/**
 * Crawled postings waiting for ingest. Staged in the DB rather than in queue payloads, so a Redis that loses its
 * jobs loses no posting: pending batches are re-enqueued from here.
 */
export const ingestBatches = pgTable(
  'ingest_batches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    crawlRunId: uuid('crawl_run_id').references(() => crawlRuns.id),
    postings: jsonb('postings').$type<unknown[]>().notNull(),
    /** The last batch of a complete crawl: after it, postings not seen in this run count as missing. */
    closesRun: boolean('closes_run').notNull().default(false),
    createdAt: createdAt(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    stats: jsonb('stats').$type<Record<string, number>>(),
  },
  (t) => [index('ingest_batches_pending_idx').on(t.createdAt).where(sql`${t.processedAt} is null`)],
);
