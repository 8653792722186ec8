/**
 * A proposal without any employer reaction after `reactionReminderDays` (default 14) gets a reminder task for the
 * caseworker handling the order (else the one who proposed). Called by a periodic job; the task's dedupe key
 * makes each reminder exist once however often it runs.
 */
import { and, eq, isNull, lte, notExists, sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { customers, proposals, tasks, vacancies } from '../db/schema.ts';
import { rulesOf } from '../sla/rules.ts';
import { createTasks } from '../tasks/create.ts';

const DAY_MS = 86_400_000;

export async function createDueReactionReminders(ctx: Ctx): Promise<{ created: number }> {
  const days = rulesOf(ctx).reactionReminderDays;
  const threshold = new Date(ctx.now().getTime() - days * DAY_MS);
  const dedupeKey = sql<string>`'reaction_reminder:' || ${proposals.id}::text`;
  const due = await ctx.db
    .select({
      id: proposals.id,
      vacancyId: proposals.vacancyId,
      createdAt: proposals.createdAt,
      createdBy: proposals.createdBy,
      vacancyBranch: vacancies.branchId,
      caseworker: vacancies.assignedCaseworkerId,
      customerBranch: customers.branchId,
    })
    .from(proposals)
    .innerJoin(vacancies, eq(vacancies.id, proposals.vacancyId))
    // Left join: a deleted customer's open proposal still waits for the employer and is still reminded of.
    .leftJoin(customers, eq(customers.id, proposals.customerId))
    .where(
      and(
        eq(proposals.status, 'open'),
        isNull(proposals.outcome),
        lte(proposals.createdAt, threshold),
        notExists(ctx.db.select({ one: sql`1` }).from(tasks).where(eq(tasks.dedupeKey, dedupeKey))),
      ),
    )
    .limit(5000);
  const created = await createTasks(
    ctx,
    due
      .flatMap((p) => {
        const branchId = p.vacancyBranch ?? p.customerBranch;
        // A crawled vacancy has no branch; without its customer nobody's branch is left to remind.
        return branchId === null ? [] : [{ ...p, branchId }];
      })
      .map((p) => ({
        kind: 'reaction_reminder' as const,
        dedupeKey: `reaction_reminder:${p.id}`,
        branchId: p.branchId,
        assigneeUserId: p.caseworker ?? p.createdBy,
        assigneeRole: 'caseworker' as const,
        vacancyId: p.vacancyId,
        proposalId: p.id,
        dueAt: new Date(p.createdAt.getTime() + days * DAY_MS),
        detail: { days },
      })),
  );
  return { created };
}
