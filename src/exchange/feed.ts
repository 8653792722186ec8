/**
 * The exchange feed: this job centre's own employer vacancies, for other job centres to read (issue 11, point 8).
 *
 * Only what the job centre publishes anyway: open vacancies an employer ordered here (never crawled ones, which are
 * other publishers' content and would echo back and forth between installations), with the public content of the
 * kiosk's detail. The order's contact person and application route are never read; e-mail addresses and phone
 * numbers typed into title or text are replaced by a pointer to the job centre (`redact.ts`); applicants are sent to
 * the responsible branch's employer service instead.
 */
import { and, asc, eq, gt, gte, isNotNull, isNull, max, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { branches, vacancies } from '../db/schema.ts';
import { contentOf, type NormalisedVacancy, vacancyColumns } from '../vacancies/vacancy.ts';

/** Vacancies per page unless a reader asks for fewer or more (up to MAX_PAGE_SIZE): a bounded answer. */
export const DEFAULT_PAGE_SIZE = 200;
export const MAX_PAGE_SIZE = 500;

/**
 * Employer orders carry no end date of their own. The feed states one all the same, so that a reader whose copy is
 * never withdrawn (this installation gone, the exchange ended) lets it expire: the end of the current 30-day window
 * plus 30 days, the same for every vacancy, so it moves once a month and not at every crawl.
 */
export const VALIDITY_WINDOW_MS = 30 * 86_400_000;

export function defaultValidThrough(now: Date): Date {
  const windowStart = Math.floor(now.getTime() / VALIDITY_WINDOW_MS) * VALIDITY_WINDOW_MS;
  return new Date(windowStart + 2 * VALIDITY_WINDOW_MS);
}

export const ExchangePageQuery = z.object({
  /** Keyset cursor: the id of the last vacancy of the previous page. */
  after: z.uuid().optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});
export type ExchangePageQuery = z.input<typeof ExchangePageQuery>;

/** The public content fields the feed carries. */
const CONTENT = [
  'title',
  'description',
  'employerName',
  'plz',
  'place',
  'lat',
  'lon',
  'places',
  'remote',
  'workingTimes',
  'contractType',
  'offerType',
  'salary',
  'kldbCode',
  'publishedAt',
  'validThrough',
] as const;

const COLUMNS = {
  ...vacancyColumns(['id', 'referenceNumber', 'positions', 'positionsFilled', 'createdAt', 'updatedAt', ...CONTENT]),
  branchName: branches.name,
};

type Row = Awaited<ReturnType<typeof selectPage>>[number];

export interface ExchangeVacancy {
  id: string;
  /** The order number: stable, and what a reader keeps as the posting's id. */
  reference: string;
  content: Pick<NormalisedVacancy, (typeof CONTENT)[number]>;
  /** Open positions: ordered minus filled. */
  openPositions: number;
  publishedAt: Date;
  validThrough: Date;
  updatedAt: Date;
  /** The branch whose employer service handles the order: applicants ask there. */
  branchName: string | null;
}

export interface ExchangePage {
  vacancies: ExchangeVacancy[];
  /** Cursor of the next page; undefined on the last one. */
  nextAfter?: string;
  /** The latest change to any employer vacancy (a withdrawal too), or the validity window's start if later. */
  lastModified: Date;
}

/** Open employer orders that have not passed their own end date. */
function publishable(now: Date) {
  return and(
    eq(vacancies.status, 'open'),
    isNotNull(vacancies.employerId),
    isNotNull(vacancies.referenceNumber),
    or(isNull(vacancies.validThrough), gte(vacancies.validThrough, now)),
  );
}

function selectPage(ctx: Ctx, after: string | undefined, limit: number) {
  const now = ctx.now();
  return ctx.db
    .select(COLUMNS)
    .from(vacancies)
    .leftJoin(branches, eq(branches.id, vacancies.branchId))
    .where(after ? and(publishable(now), gt(vacancies.id, after)) : publishable(now))
    .orderBy(asc(vacancies.id))
    .limit(limit + 1);
}

function toExchangeVacancy(row: Row, now: Date): ExchangeVacancy {
  return {
    id: row.id,
    reference: row.referenceNumber as string,
    content: contentOf(row, CONTENT),
    openPositions: Math.max(1, row.positions - row.positionsFilled),
    publishedAt: row.publishedAt ?? row.createdAt,
    validThrough: row.validThrough ?? defaultValidThrough(now),
    updatedAt: row.updatedAt,
    branchName: row.branchName,
  };
}

/** One page of the feed, in id order (stable while vacancies come and go). */
export async function readExchangePage(ctx: Ctx, query: ExchangePageQuery = {}): Promise<ExchangePage> {
  const { after, limit } = ExchangePageQuery.parse(query);
  const now = ctx.now();
  const rows = await selectPage(ctx, after, limit);
  const page = rows.slice(0, limit);
  // Withdrawn and filled orders leave the feed: their change counts too, or a conditional GET would miss it.
  const [changed] = await ctx.db
    .select({ at: max(vacancies.updatedAt) })
    .from(vacancies)
    .where(isNotNull(vacancies.employerId));
  const windowStart = new Date(defaultValidThrough(now).getTime() - 2 * VALIDITY_WINDOW_MS);
  const latest = changed?.at && changed.at > windowStart ? changed.at : windowStart;
  return {
    vacancies: page.map((row) => toExchangeVacancy(row, now)),
    nextAfter: rows.length > limit ? page.at(-1)?.id : undefined,
    lastModified: latest,
  };
}
