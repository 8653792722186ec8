/**
 * Employer orders link to their vacancy through `vacancy_sources` like crawled postings do, with one source of type
 * 'employer' (never crawled). Created on first use; an advisory lock keeps two first orders from creating two.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { sources } from '../db/schema.ts';

/** Arbitrary but fixed; distinct from the outbox and migration locks. */
const EMPLOYER_SOURCE_LOCK_KEY = 7_240_919;

export const EMPLOYER_SOURCE = {
  name: 'Arbeitgebermeldungen (eigener Pool)',
  type: 'employer',
  url: 'internal:employer-submissions',
  legalBasis: 'Auftrag des Arbeitgebers an das Jobcenter',
} as const;

export async function employerSourceId(tx: Ctx): Promise<string> {
  const find = async () => {
    const [row] = await tx.db
      .select({ id: sources.id })
      .from(sources)
      .where(eq(sources.type, 'employer'))
      .orderBy(asc(sources.createdAt), asc(sources.id))
      .limit(1);
    return row?.id;
  };
  const existing = await find();
  if (existing) return existing;
  await tx.db.execute(sql`select pg_advisory_xact_lock(${EMPLOYER_SOURCE_LOCK_KEY})`);
  const again = await find();
  if (again) return again;
  const [created] = await tx.db
    .insert(sources)
    .values({ ...EMPLOYER_SOURCE, enabled: false })
    .returning({ id: sources.id });
  return created!.id;
}
