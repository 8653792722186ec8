/**
 * The demo city at benchmark size, shared by bench:start, bench:api and soak: a fresh embedded database with the demo
 * seed (branches, accounts, about 31,000 customers, 20,000 vacancies) plus deterministic synthetic open vacancies up
 * to the requested count. The database is closed again before it returns, since the service process opens it next.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { and, count, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Config } from '../../src/config.ts';
import { type Ctx, withTransaction } from '../../src/context.ts';
import { bulkInsert } from '../../src/db/bulk-insert.ts';
import { openDatabase } from '../../src/db/client.ts';
import { customers, vacancies } from '../../src/db/schema.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/seed.ts';
import { generateVacancies, normaliseSynthetic } from '../../src/demo/synthetic-vacancies.ts';
import { createLogger } from '../../src/logging.ts';

const INSERT_BATCH = 10_000;
const SYNTHETIC_SEED = 4242;

/** The demo accounts' public tokens (README, "Demo accounts"), by role. */
export function demoToken(role: (typeof DEMO_ACCOUNTS)[number]['role']): string {
  const account = DEMO_ACCOUNTS.find((a) => a.role === role);
  if (!account) throw new Error(`no demo account with role ${role}`);
  return account.token;
}

export interface DemoCity {
  openVacancies: number;
  customers: number;
}

/**
 * The demo city plus synthetic open vacancies up to `docs`, in a fresh embedded database under `dataDir`, or in the
 * empty PostgreSQL database `db` names.
 */
export function prepareDemoCity(
  dataDir: string,
  docs: number,
  more?: (ctx: Ctx) => Promise<void>,
  db?: Config['db'],
): Promise<DemoCity> {
  return withDemoCity(
    dataDir,
    async (ctx) => {
      await seedDemo(ctx);
      const open = await openVacancyCount(ctx);
      const extra = Math.max(0, docs - open);
      const now = Date.now();
      const generated = generateVacancies(extra, SYNTHETIC_SEED, now);
      for (let i = 0; i < generated.length; i += INSERT_BATCH) {
        const rows = generated.slice(i, i + INSERT_BATCH).map((v) => ({
          id: randomUUID(),
          status: 'open' as const,
          ...normaliseSynthetic(v),
          createdAt: v.publishedAt,
          updatedAt: v.publishedAt,
        }));
        await withTransaction(ctx, (tx) => bulkInsert(tx.db, vacancies, rows));
      }
      await more?.(ctx);
      const [people] = await ctx.db.select({ n: count() }).from(customers);
      return { openVacancies: open + extra, customers: people?.n ?? 0 };
    },
    db,
  );
}

/** Opens (and migrates) the embedded database under `dataDir`, or `db`, for `use`, and closes it again. */
export async function withDemoCity<T>(
  dataDir: string,
  use: (ctx: Ctx) => Promise<T>,
  db: Config['db'] = { kind: 'pglite', dir: join(dataDir, 'db') },
): Promise<T> {
  const database = await openDatabase(db);
  try {
    await database.migrate();
    return await use({ db: database.db, log: createLogger('warn'), now: () => new Date() });
  } finally {
    await database.close();
  }
}

async function openVacancyCount(ctx: Ctx): Promise<number> {
  const [row] = await ctx.db.select({ open: count() }).from(vacancies).where(eq(vacancies.status, 'open'));
  return row?.open ?? 0;
}

export interface MatchSubjects {
  /** Eligible customers (market profile, consent, not restricted) of the branch. */
  customerIds: string[];
  /** Open, coded vacancies in the branch's catchment. */
  vacancyIds: string[];
}

/**
 * Subjects whose match lists a caseworker of `branchId` may read, in a deterministic order, for the caseworker half
 * of bench:api and soak.
 */
export async function matchSubjects(ctx: Ctx, branchId: number, limit: number): Promise<MatchSubjects> {
  const customerRows = await ctx.db
    .select({ id: customers.id })
    .from(customers)
    .where(
      and(
        eq(customers.branchId, branchId),
        eq(customers.profileGroup, 'market'),
        eq(customers.consent, true),
        isNull(customers.restrictedAt),
      ),
    )
    .orderBy(customers.id)
    .limit(limit);
  const vacancyRows = await ctx.db
    .select({ id: vacancies.id })
    .from(vacancies)
    .where(and(eq(vacancies.branchId, branchId), eq(vacancies.status, 'open'), isNotNull(vacancies.kldbCode)))
    .orderBy(vacancies.id)
    .limit(limit);
  return { customerIds: customerRows.map((r) => r.id), vacancyIds: vacancyRows.map((r) => r.id) };
}
