/**
 * "Complete and plausible coding" (binding quality standard): postings whose occupation code the coder is unsure of
 * are flagged; a caseworker sees them with the coder's suggestions and confirms or corrects the KldB code. A confirmed
 * code is never overwritten by a later crawl of the same posting.
 */
import { and, asc, eq, isNull, or } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { vacancies, vacancyEvents } from '../db/schema.ts';
import { isRowId } from '../domain/ids.ts';
import { Forbidden, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { appendOutbox, vacancyChanged } from '../outbox/append.ts';
import { codeOccupation } from '../taxonomy/coder.ts';
import { isKldbCode, kldbTitle, requirementLevel } from '../taxonomy/kldb.ts';
import { VACANCY_REFERENCE_COLUMNS, type VacancyReference } from './vacancy.ts';

const CODING_ROLES = new Set(['caseworker', 'branch_lead', 'admin']);

function assertMayCode(actor: Actor): void {
  if (!CODING_ROLES.has(actor.role)) throw new Forbidden('Nur Vermittlungsfachkräfte können Stellen verschlüsseln');
}

/** Caseworkers see their branch's vacancies and those no branch has taken yet (crawled postings); admins all. */
function branchFilter(actor: Actor) {
  if (actor.role === 'admin' || actor.branchId === null) return undefined;
  return or(eq(vacancies.branchId, actor.branchId), isNull(vacancies.branchId));
}

export interface CodingReviewItem extends VacancyReference {
  confidence: number;
  suggestions: Array<{ code: string; title: string; confidence: number }>;
}

export async function listCodingReview(ctx: Ctx, actor: Actor, limit = 50): Promise<CodingReviewItem[]> {
  assertMayCode(actor);
  const rows = await ctx.db
    .select({ ...VACANCY_REFERENCE_COLUMNS, description: vacancies.description, confidence: vacancies.kldbConfidence })
    .from(vacancies)
    .where(and(eq(vacancies.status, 'open'), eq(vacancies.kldbNeedsReview, true), branchFilter(actor)))
    .orderBy(asc(vacancies.createdAt))
    .limit(Math.min(Math.max(limit, 1), 200));
  return rows.map(({ description, ...item }) => ({
    ...item,
    suggestions: codeOccupation({ title: item.title, description }).candidates.slice(0, 5),
  }));
}

export const ConfirmCodingInput = z.object({
  kldbCode: z
    .string()
    .regex(/^\d{5}$/, 'KldB-Code muss fünfstellig sein')
    .refine(isKldbCode, 'Diesen KldB-2010-Code gibt es nicht'),
});

export async function confirmCoding({
  ctx,
  actor,
  vacancyId,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  vacancyId: string;
  input: unknown;
}): Promise<{ id: string; kldbCode: string; kldbTitle: string }> {
  assertMayCode(actor);
  const parsed = ConfirmCodingInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationFailed('Ungültige Verschlüsselung', issuesOf(parsed.error));
  }
  const { kldbCode } = parsed.data;
  if (!isRowId(vacancyId)) throw new NotFound('Stelle', vacancyId);
  return withTransaction(ctx, async (tx) => {
    const [vacancy] = await tx.db
      .select({ id: vacancies.id, kldbCode: vacancies.kldbCode, branchId: vacancies.branchId })
      .from(vacancies)
      .where(eq(vacancies.id, vacancyId))
      .for('update');
    if (!vacancy) throw new NotFound('Stelle', vacancyId);
    if (actor.role !== 'admin' && vacancy.branchId !== null && vacancy.branchId !== actor.branchId) {
      throw new Forbidden('Diese Stelle gehört zu einer anderen Zweigstelle');
    }
    const now = tx.now();
    await tx.db
      .update(vacancies)
      .set({
        kldbCode,
        kldbConfidence: 1,
        kldbNeedsReview: false,
        kldbConfirmedBy: actor.userId,
        requirementLevel: requirementLevel(kldbCode) ?? null,
        updatedAt: now,
      })
      .where(eq(vacancies.id, vacancyId));
    await tx.db.insert(vacancyEvents).values({
      vacancyId,
      kind: 'coded',
      at: now,
      actorUserId: actor.userId,
      detail: { from: vacancy.kldbCode, to: kldbCode },
    });
    await recordAudit(tx, {
      actor,
      action: 'vacancy.code',
      objectType: 'vacancy',
      objectId: vacancyId,
      detail: { kldbCode },
    });
    await appendOutbox(tx, vacancyChanged(vacancyId));
    return { id: vacancyId, kldbCode, kldbTitle: kldbTitle(kldbCode) ?? kldbCode };
  });
}
