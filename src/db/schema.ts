/**
 * The system of record. The search index and the match table are derived from it and can be rebuilt at any time.
 * Migrations are generated from this file (`npm run db:generate`) and run unchanged on PGlite and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSequence,
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
  /**
   * Postcodes of the branch's catchment area: employers there are served by this branch. Disjoint across branches;
   * src/employers/catchment.ts is the one writer and keeps them so.
   */
  catchmentPlz: text('catchment_plz').array().notNull().default(sql`'{}'::text[]`),
  /**
   * Round robin of the branch's employer-service caseworkers: the one given the last order without a named contact.
   * The row lock on the branch serialises assignments (src/employers/assign-caseworker.ts).
   */
  lastAssignedCaseworkerId: uuid('last_assigned_caseworker_id'),
});

export const employers = pgTable(
  'employers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    normalisedName: text('normalised_name').notNull(),
    plz: text('plz'),
    branchId: integer('branch_id').references(() => branches.id),
    /** The employer's named contact in the employer service (AG-pAp); orders go to them before any round robin. */
    contactCaseworkerId: uuid('contact_caseworker_id').references((): AnyPgColumn => users.id),
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
  /** A caseworker of the employer service (Arbeitgeberservice, AG-pAp): receives employer orders of the branch. */
  employerService: boolean('employer_service').notNull().default(false),
  createdAt: createdAt(),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  /** Argon2id hash (PHC string) for signing in to the pages; null until the person has set a password. */
  passwordHash: text('password_hash'),
  passwordSetAt: timestamp('password_set_at', { withTimezone: true }),
});

/**
 * Signed-in browser sessions of the pages. The cookie carries a random token; only its SHA-256 is stored, so a copy
 * of the table signs no one in. Revoking all of a user's rows is "log out everywhere".
 */
export const webSessions = pgTable(
  'web_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** Per-session secret the pages' forms carry (synchroniser token); useless without the session cookie. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('web_sessions_user_idx').on(t.userId)],
);

/** One-time links that let an invited person set their password; only the token's SHA-256 is stored. */
export const userInvitations = pgTable(
  'user_invitations',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('user_invitations_user_idx').on(t.userId)],
);

/**
 * Failed sign-ins on the pages, counted per key (`account:<user id>`, `address:<client address>`) over a window:
 * kept in the database so that every process of a scale-out deployment counts the same attempts.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    key: text('key').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('login_failures_key_at_idx').on(t.key, t.at)],
);

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
  type: text('type', {
    enum: [
      'ba_jobsuche',
      'jsonld',
      'personio',
      'feed',
      'browser',
      'employer',
      'recruitee',
      'greenhouse',
      'lever',
      'smartrecruiters',
      'workable',
      'exchange',
    ],
  }).notNull(),
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
  /**
   * Who holds that claim: a queue job (`job:<id>`), whose re-delivery after its process died takes the claim over at
   * once, or one CLI run. Anyone else waits for the claim to end or to go stale.
   */
  crawlClaimedBy: text('crawl_claimed_by'),
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
    /**
     * Every place of the vacancy, the one in plz/place/lat/lon first, when it has more than one (a schema.org
     * `jobLocation` list, Personio's additional offices). Empty: the vacancy has at most that one place.
     */
    places: jsonb('places')
      .$type<Array<{ plz: string | null; place: string | null; lat: number | null; lon: number | null }>>()
      .notNull()
      .default([]),
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
    // Employer orders (src/orders/): what the employer asked for beyond the posting itself.
    /** The job centre is asked to propose candidates (a placement order, with the 48-hour promise), not only to publish. */
    placementOrder: boolean('placement_order').notNull().default(false),
    positions: integer('positions').notNull().default(1),
    /** Positions filled so far; the vacancy is filled when all are. */
    positionsFilled: integer('positions_filled').notNull().default(0),
    /** The employer's contact for this order (name, e-mail, phone): personal data, never public. */
    contactPerson: jsonb('contact_person').$type<{ name: string; email?: string; phone?: string }>(),
    /** How candidates apply (e-mail, online form, post, phone, in person), with the address or link where one is needed. */
    applicationRoute: jsonb('application_route').$type<{ kind: string; value?: string }>(),
    /** The employer-service caseworker (AG-pAp) handling the order. */
    assignedCaseworkerId: uuid('assigned_caseworker_id').references(() => users.id),
    /**
     * What the employer stated about the job (title, text, place, times, requirements …) as submitted: the content
     * columns are derived from it, and derived again from it when the employer updates the order.
     */
    statedPosting: jsonb('stated_posting').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('vacancies_kldb_idx').on(t.kldbCode),
    index('vacancies_branch_idx').on(t.branchId, t.status),
    index('vacancies_employer_idx').on(t.employerId, t.createdAt),
  ],
);

/** Order numbers (JB-<year>-<6 digits>): a sequence, so concurrent orders never collide; a rolled-back order leaves a gap. */
export const orderReferenceSeq = pgSequence('order_reference_seq', { startWith: 1 });

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
    /**
     * This posting's content as normalised when it last changed: the vacancy shows, field by field, the values of
     * its most authoritative and freshest link (src/vacancies/merge.ts). Null for links older than the merge and for
     * employer orders, whose vacancy record is the employer's own statement.
     */
    content: jsonb('content').$type<Record<string, unknown>>(),
    /** When this posting's content last changed (or was first seen): "freshest" in the merge. */
    contentChangedAt: timestamp('content_changed_at', { withTimezone: true }),
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
    /** The case management system's customer number: the key a CSV import upserts by; null for older records. */
    caseNumber: text('case_number').unique(),
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
    /** A second, separate consent: employers may see the customer's name and contact, not only a pseudonymous profile. */
    contactConsent: boolean('contact_consent').notNull().default(false),
    blockedUntil: timestamp('blocked_until', { withTimezone: true }),
    /** Why the customer is blocked (caseworker's note); social data like the rest of the record. */
    blockedReason: text('blocked_reason'),
    /**
     * Restriction of processing (Art. 18 GDPR): the data stays, but the customer is in no match list, search or
     * proposal until the restriction is lifted.
     */
    restrictedAt: timestamp('restricted_at', { withTimezone: true }),
    restrictedReason: text('restricted_reason'),
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
    /**
     * Null once the customer was deleted (purpose ended): the proposal stays, without anyone behind it, because the
     * employer's order, its SLA clock and the placement figures count it.
     */
    customerId: uuid('customer_id').references(() => customers.id),
    /**
     * 'open' while the proposal is undecided (sent, or the candidate invited): open proposals count against the caps.
     * The final outcomes close it. ('accepted' is from before outcomes were recorded and is no longer written.)
     */
    status: text('status', { enum: ['open', 'accepted', 'rejected', 'hired', 'withdrawn', 'no_reaction'] })
      .notNull()
      .default('open'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: createdAt(),
    /** The caseworker's note to the employer, sent with the proposal. */
    note: text('note'),
    /** The last outcome recorded by the employer or the caseworker (src/proposals/record-outcome.ts). */
    outcome: text('outcome', { enum: ['invited', 'hired', 'rejected', 'no_reaction', 'withdrawn'] }),
    /** Why, for a rejection or withdrawal. */
    outcomeReason: text('outcome_reason'),
    outcomeBy: uuid('outcome_by').references(() => users.id),
    outcomeAt: timestamp('outcome_at', { withTimezone: true }),
    outcomeNote: text('outcome_note'),
    /** Set once the candidate is invited, and kept when a later outcome follows (placement figures count it). */
    invitedAt: timestamp('invited_at', { withTimezone: true }),
    /** First working day of a hire: follow-up tasks count from it. */
    hireStartDate: date('hire_start_date', { mode: 'date' }),
  },
  (t) => [
    uniqueIndex('proposals_vacancy_customer_uq').on(t.vacancyId, t.customerId),
    index('proposals_customer_idx').on(t.customerId),
    // Open proposals without any reaction, oldest first: the reaction reminder scan.
    index('proposals_awaiting_reaction_idx').on(t.createdAt).where(sql`${t.status} = 'open' and ${t.outcome} is null`),
  ],
);

/**
 * SLA milestones per placement order; the unique key makes each event happen once even if a job runs twice. `due_at`
 * is when the milestone was due (for 'started': the response deadline), `at` when it happened: a milestone fired
 * late after an outage keeps its original due time.
 */
export const slaEvents = pgTable(
  'sla_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    vacancyId: uuid('vacancy_id')
      .notNull()
      .references(() => vacancies.id),
    kind: text('kind', {
      enum: ['started', 'reminder', 'escalation', 'breach', 'responded', 'not_applicable'],
    }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid('actor_user_id'),
    /** 'responded': 'proposal' or a code of the fixed answer list; 'not_applicable': 'withdrawn' or 'filled'. */
    reason: text('reason'),
    /** The caseworker's free text with a documented answer (sent to the employer). */
    note: text('note'),
  },
  (t) => [uniqueIndex('sla_events_vacancy_kind_uq').on(t.vacancyId, t.kind)],
);

/**
 * One row per placement order: the clock's due times and where it stands, kept in the same transaction as each
 * `sla_events` row. The events are the record; this is its summary per order, so the SLA views and the summary
 * scan one narrow row per order instead of pivoting events (docs/employer-orders.md, "SLA views").
 */
export const slaClocks = pgTable(
  'sla_clocks',
  {
    // The summary reads the first columns of every row in the period; they come first and are narrow.
    vacancyId: uuid('vacancy_id')
      .primaryKey()
      .references(() => vacancies.id),
    branchId: integer('branch_id')
      .notNull()
      .references(() => branches.id),
    caseworkerId: uuid('caseworker_id').references(() => users.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    /** Monday of the Berlin week of receipt (YYYY-MM-DD): the summary groups by it without a zone conversion per row. */
    startedWeek: date('started_week', { mode: 'string' }).notNull(),
    /**
     * How the promise ended, fixed when it ends: met / met_late (responded by / after the due time), not_applicable
     * (withdrawn or filled before the due time), breached (withdrawn or filled after it, unanswered). Null while the
     * clock runs; src/sla/state.ts derives open, at_risk, escalated and breached from the due times then.
     */
    outcome: text('outcome', { enum: ['met', 'met_late', 'not_applicable', 'breached'] }),
    /** Receipt to qualified response, in seconds: the summary's percentiles sort these integers. */
    responseSeconds: integer('response_seconds'),
    /** Receipt to filling, in seconds. */
    fillSeconds: integer('fill_seconds'),
    // Placement figures, counted as proposals and outcomes are recorded (same transaction).
    proposalsSent: integer('proposals_sent').notNull().default(0),
    proposalsInvited: integer('proposals_invited').notNull().default(0),
    proposalsHired: integer('proposals_hired').notNull().default(0),
    calendar: text('calendar', { enum: ['clock', 'business'] }).notNull(),
    reminderDueAt: timestamp('reminder_due_at', { withTimezone: true }).notNull(),
    escalationDueAt: timestamp('escalation_due_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    /** The qualified response that stopped the clock: a proposal, or a documented answer (reason code). */
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    responseReason: text('response_reason'),
    /** Withdrawn or filled before a response: the promise no longer applies. */
    notApplicableAt: timestamp('not_applicable_at', { withTimezone: true }),
    notApplicableReason: text('not_applicable_reason'),
    filledAt: timestamp('filled_at', { withTimezone: true }),
  },
  (t) => [
    index('sla_clocks_started_idx').on(t.startedAt),
    index('sla_clocks_branch_due_idx').on(t.branchId, t.dueAt),
    // The reconciler's scan and the live states: clocks still running.
    index('sla_clocks_running_idx').on(t.dueAt).where(sql`${t.outcome} is null`),
    // The summary's list of breaches, latest first.
    index('sla_clocks_late_idx').on(t.dueAt).where(sql`${t.outcome} in ('met_late', 'breached')`),
  ],
);

/**
 * A retried employer submission with the same Idempotency-Key returns the first answer. Scoped per user: two users'
 * keys never collide. Expired keys are replaced on next use.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    key: text('key').notNull(),
    operation: text('operation').notNull(),
    /** SHA-256 of the parsed request: the same key with another body is refused. */
    requestHash: text('request_hash').notNull(),
    response: jsonb('response').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_keys_expires_idx').on(t.expiresAt)],
);

/**
 * Work for a person: SLA reminders and escalations, reaction reminders, follow-ups after a hire. `dedupe_key` makes
 * each task exist once, however often its cause is processed. A task goes to one user, or to everyone of a role in
 * the branch (escalations: any branch lead).
 */
export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', {
      enum: ['sla_reminder', 'sla_escalation', 'sla_breach', 'reaction_reminder', 'follow_up'],
    }).notNull(),
    dedupeKey: text('dedupe_key').notNull().unique(),
    branchId: integer('branch_id')
      .notNull()
      .references(() => branches.id),
    assigneeUserId: uuid('assignee_user_id').references(() => users.id),
    assigneeRole: text('assignee_role', { enum: ['caseworker', 'branch_lead'] }).notNull(),
    vacancyId: uuid('vacancy_id').references(() => vacancies.id),
    proposalId: uuid('proposal_id').references(() => proposals.id),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    /** Ids and small values only (offset, milestone); names are read when the task is shown. */
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    doneAt: timestamp('done_at', { withTimezone: true }),
    doneBy: uuid('done_by').references(() => users.id),
    note: text('note'),
  },
  (t) => [
    index('tasks_assignee_open_idx').on(t.assigneeUserId, t.dueAt).where(sql`${t.doneAt} is null`),
    index('tasks_branch_open_idx').on(t.branchId, t.assigneeRole, t.dueAt).where(sql`${t.doneAt} is null`),
  ],
);

/**
 * Notification outbox, written in the same transaction as its cause. Delivered by e-mail when SMTP is configured
 * (src/notifications/deliver.ts), else kept for the in-app inbox. The payload holds ids and the few values the
 * template needs; the recipient's address is read at delivery, so the row carries no more personal data than needed.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The cause (e.g. `order_confirmation:<vacancy id>`): one notification per cause and recipient. */
    dedupeKey: text('dedupe_key').notNull().unique(),
    template: text('template').notNull(),
    recipientUserId: uuid('recipient_user_id').references(() => users.id),
    /** Only for recipients without an account; otherwise the user's address at delivery time. */
    recipientAddress: text('recipient_address'),
    vacancyId: uuid('vacancy_id').references(() => vacancies.id),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: ['pending', 'sending', 'sent', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** When the current delivery attempt claimed the row; a claim older than the lease is taken over. */
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** The transport's error code or class, never the message text (it may quote addresses). */
    lastError: text('last_error'),
    createdAt: createdAt(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    index('notifications_due_idx').on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'sending')`),
    index('notifications_recipient_idx').on(t.recipientUserId, t.createdAt),
  ],
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

/**
 * The BA's title index (Gesamtberufsliste) as an operator imported it (`jobbruecke taxonomy import`): `current` is
 * the list coded with the 2020 revision, `legacy` one coded with the original KldB 2010. Never shipped with the
 * product (the list has no licence for that); processes load it into memory (src/taxonomy/title-store.ts).
 */
export const kldbTitles = pgTable(
  'kldb_titles',
  {
    list: text('list', { enum: ['current', 'legacy'] }).notNull(),
    dkzId: integer('dkz_id').notNull(),
    code: text('code').notNull(),
    /** E current, T tax/insurance only, R outdated, M meta entry. */
    state: text('state', { enum: ['E', 'T', 'R', 'M'] }).notNull(),
    neutral: text('neutral').notNull(),
    male: text('male').notNull(),
    female: text('female').notNull(),
  },
  (t) => [primaryKey({ columns: [t.list, t.dkzId] })],
);

/** Original KldB 2010 → 2020 revision, derived by DKZ-ID from the two lists whenever both are imported. */
export const kldbCrosswalk = pgTable(
  'kldb_crosswalk',
  {
    legacyCode: text('legacy_code').notNull(),
    code: text('code').notNull(),
    /** Titles coded `legacy_code` in the older list and `code` in the current one. */
    titles: integer('titles').notNull(),
  },
  (t) => [primaryKey({ columns: [t.legacyCode, t.code] })],
);

/**
 * The coder's index built from the imported lists, serialised: a process loads it in about a tenth of the time a
 * build takes (src/taxonomy/index-snapshot.ts). Keyed by the import's revision and a fingerprint of the code that
 * builds the index, so a changed coder never reads an index it did not build; a process that finds none builds the
 * index and stores it.
 */
export const kldbIndexSnapshots = pgTable(
  'kldb_index_snapshots',
  {
    revision: text('revision').notNull(),
    fingerprint: text('fingerprint').notNull(),
    data: text('data').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.revision, t.fingerprint] })],
);
