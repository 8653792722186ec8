/**
 * An employer changes their open order: the stated posting is merged with the changes and derived again (re-coded),
 * the search index and the matcher follow through the outbox (re-indexed, re-matched). A caseworker's confirmed
 * occupation code survives only changes that leave title and description alone.
 */
import { and, eq } from 'drizzle-orm';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { slaClocks, vacancies, vacancyDedupeKeys, vacancyEvents, vacancySources } from '../db/schema.ts';
import { Conflict, issuesOf, ValidationFailed } from '../errors.ts';
import { appendOutbox, vacancyChanged } from '../outbox/append.ts';
import { startClock } from '../sla/clock.ts';
import { ownVacancy } from './access.ts';
import { closeOrder } from './close.ts';
import { orderContent, POSTING_FIELDS, type StatedPosting } from './content.ts';
import { OrderUpdate } from './order-input.ts';

export interface UpdateOrderResult {
  vacancyId: string;
  changed: string[];
  kldbCode: string | null;
  kldbNeedsReview: boolean;
  /** Set when this update turned a publish-only order into a placement order. */
  slaDueAt: Date | null;
}

export async function updateOrder({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: { vacancyId: string; changes: unknown };
}): Promise<UpdateOrderResult> {
  const changes = OrderUpdate.safeParse(input.changes);
  if (!changes.success) {
    throw new ValidationFailed('Die Änderung ist fehlerhaft', issuesOf(changes.error));
  }
  const c = changes.data;
  return withTransaction(ctx, async (tx) => {
    const v = await ownVacancy(tx, actor, input.vacancyId, { lock: true });
    if (v.status !== 'open') throw new Conflict('Die Stelle ist nicht mehr offen', { status: v.status });
    if (c.placement_order === false && v.placementOrder) {
      throw new ValidationFailed('Die Änderung ist fehlerhaft', [
        {
          path: 'placement_order',
          message: 'Ein Vermittlungsauftrag kann nicht zurückgenommen werden; ziehen Sie die Stelle stattdessen zurück',
        },
      ]);
    }
    if (c.number_of_positions !== undefined && c.number_of_positions < v.positionsFilled) {
      throw new ValidationFailed('Die Änderung ist fehlerhaft', [
        { path: 'number_of_positions', message: `Bereits ${v.positionsFilled} Stellen besetzt` },
      ]);
    }
    const previous = (v.statedPosting ?? {}) as StatedPosting;
    const stated = { ...previous } as Record<string, unknown>;
    const changed: string[] = [];
    for (const key of POSTING_FIELDS) {
      if (c[key] === undefined) continue;
      if (JSON.stringify(c[key]) !== JSON.stringify(previous[key])) changed.push(key);
      stated[key] = c[key];
    }
    for (const key of ['number_of_positions', 'contact_person', 'application_route', 'placement_order'] as const) {
      if (c[key] !== undefined) changed.push(key);
    }
    const now = tx.now();
    const derived = orderContent(stated as StatedPosting, {
      reference: v.referenceNumber ?? v.id,
      employerName: v.employerName ?? '',
      now,
      publishedAt: v.publishedAt,
    });
    const keepCode = v.kldbConfirmedBy !== null && !changed.includes('title') && !changed.includes('description');
    const content = keepCode
      ? {
          ...derived.content,
          kldbCode: v.kldbCode,
          kldbConfidence: 1,
          kldbNeedsReview: false,
          requirementLevel: v.requirementLevel,
        }
      : derived.content;
    await tx.db
      .update(vacancies)
      .set({
        ...content,
        ...(keepCode ? {} : { kldbConfirmedBy: null }),
        statedPosting: stated,
        startDate: derived.startDate,
        contentHash: derived.contentHash,
        updatedAt: now,
        ...(c.number_of_positions !== undefined ? { positions: c.number_of_positions } : {}),
        ...(c.contact_person !== undefined ? { contactPerson: c.contact_person } : {}),
        ...(c.application_route !== undefined ? { applicationRoute: c.application_route } : {}),
        ...(c.placement_order ? { placementOrder: true } : {}),
      })
      .where(eq(vacancies.id, v.id));
    await tx.db.delete(vacancyDedupeKeys).where(eq(vacancyDedupeKeys.vacancyId, v.id));
    if (derived.dedupeKeys.length) {
      await tx.db
        .insert(vacancyDedupeKeys)
        .values(derived.dedupeKeys.map((key) => ({ key, vacancyId: v.id })))
        .onConflictDoNothing();
    }
    await tx.db
      .update(vacancySources)
      .set({ contentHash: derived.contentHash, lastSeenAt: now })
      .where(and(eq(vacancySources.vacancyId, v.id), eq(vacancySources.externalId, v.referenceNumber ?? '')));
    await tx.db.insert(vacancyEvents).values({
      vacancyId: v.id,
      kind: 'updated',
      at: now,
      actorUserId: actor.userId,
      detail: { changed },
    });

    let slaDueAt: Date | null = null;
    if (c.placement_order && !v.placementOrder && v.branchId !== null) {
      const [clock] = await tx.db.select().from(slaClocks).where(eq(slaClocks.vacancyId, v.id));
      if (!clock) {
        const due = await startClock(tx, {
          vacancyId: v.id,
          branchId: v.branchId,
          caseworkerId: v.assignedCaseworkerId,
          startedAt: now,
          actorUserId: actor.userId,
        });
        slaDueAt = due.dueAt;
      }
    }
    await recordAudit(tx, {
      actor,
      action: 'order.update',
      objectType: 'vacancy',
      objectId: v.id,
      detail: { changed },
    });
    const positions = c.number_of_positions ?? v.positions;
    if (positions === v.positionsFilled && v.positionsFilled > 0) {
      // Fewer positions than before, and all of those are filled: the order is done.
      await closeOrder(tx, { ...v, positions }, 'filled_by_proposal', actor.userId);
    } else {
      await appendOutbox(tx, vacancyChanged(v.id));
    }
    return {
      vacancyId: v.id,
      changed,
      kldbCode: content.kldbCode,
      kldbNeedsReview: content.kldbNeedsReview,
      slaDueAt,
    };
  });
}
