/**
 * An employer's submission is an order: it is stored, confirmed and (for a placement order) put on the 48-hour
 * clock in one transaction, and then takes the path of every vacancy (coding, review, search index, matching)
 * through the outbox. Bad input stores nothing.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { branches, employers, vacancies, vacancyDedupeKeys, vacancyEvents, vacancySources } from '../db/schema.ts';
import { assignCaseworker } from '../employers/assign-caseworker.ts';
import { type BranchRef, branchForPlz } from '../employers/catchment.ts';
import { issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { appendOutbox, vacancyChanged } from '../outbox/append.ts';
import { startClock } from '../sla/clock.ts';
import { employerOf } from './access.ts';
import { orderContent, statedPosting } from './content.ts';
import { employerSourceId } from './employer-source.ts';
import { claimKey, IdempotencyKey, requestHash, storeResponse } from './idempotency.ts';
import { OrderInput, type OrderInputWire } from './order-input.ts';
import { OrderReceipt } from './receipt.ts';
import { nextReference } from './reference.ts';

const OPERATION = 'order.submit';

/** The employer's postcode decides; an employer outside every catchment is served where the job is. */
async function responsibleBranch(
  tx: Ctx,
  employer: { plz: string | null; branchId: number | null },
  orderPlz: string,
): Promise<BranchRef | null> {
  const byEmployer = employer.plz ? await branchForPlz(tx, employer.plz) : null;
  if (byEmployer) return byEmployer;
  if (employer.branchId !== null) {
    const [row] = await tx.db
      .select({ id: branches.id, name: branches.name })
      .from(branches)
      .where(eq(branches.id, employer.branchId));
    if (row) return row;
  }
  return branchForPlz(tx, orderPlz);
}

export interface SubmitOrderResult extends OrderReceipt {
  /** True when this is the stored answer to an earlier request with the same idempotency key. */
  replayed: boolean;
}

export async function submitOrder({
  ctx,
  actor,
  input,
  idempotencyKey,
}: {
  ctx: Ctx;
  actor: Actor;
  input: OrderInputWire | unknown;
  /** The `Idempotency-Key` header, if sent. */
  idempotencyKey?: string;
}): Promise<SubmitOrderResult> {
  const employerId = employerOf(actor);
  const parsed = OrderInput.safeParse(input);
  const key = idempotencyKey === undefined ? undefined : IdempotencyKey.safeParse(idempotencyKey);
  if (!parsed.success || (key && !key.success)) {
    const issues = [
      ...(parsed.success ? [] : issuesOf(parsed.error)),
      ...(key && !key.success ? issuesOf(key.error).map((i) => ({ ...i, path: 'idempotency_key' })) : []),
    ];
    throw new ValidationFailed('Die Stellenmeldung ist unvollständig oder fehlerhaft', issues);
  }
  const order = parsed.data;
  const keyRef = key?.success ? { userId: actor.userId, key: key.data } : undefined;

  return withTransaction(ctx, async (tx): Promise<SubmitOrderResult> => {
    if (keyRef) {
      const first = await claimKey(tx, keyRef, { operation: OPERATION, hash: requestHash(OPERATION, order) });
      if (first) return { ...OrderReceipt.parse(first), replayed: true };
    }
    const [employer] = await tx.db.select().from(employers).where(eq(employers.id, employerId));
    if (!employer) throw new NotFound('Arbeitgeber', employerId);
    const branch = await responsibleBranch(tx, employer, order.plz);
    if (!branch) {
      throw new ValidationFailed('Keine zuständige Zweigstelle', [
        { path: 'plz', message: 'Für diese Postleitzahl ist keine Zweigstelle des Jobcenters zuständig' },
      ]);
    }
    const caseworker = await assignCaseworker(tx, { branchId: branch.id, employerId });
    const now = tx.now();
    const reference = await nextReference(tx, now);
    const stated = statedPosting(order);
    const derived = orderContent(stated, { reference, employerName: employer.name, now });
    const sourceId = await employerSourceId(tx);
    const id = randomUUID();

    await tx.db.insert(vacancies).values({
      id,
      ...derived.content,
      status: 'open',
      referenceNumber: reference,
      employerId,
      branchId: branch.id,
      submittedBy: actor.userId,
      startDate: derived.startDate,
      contentHash: derived.contentHash,
      placementOrder: order.placement_order,
      positions: order.number_of_positions,
      positionsFilled: 0,
      contactPerson: order.contact_person ?? null,
      applicationRoute: order.application_route ?? null,
      assignedCaseworkerId: caseworker?.id ?? null,
      statedPosting: stated,
      createdAt: now,
      updatedAt: now,
    });
    if (derived.dedupeKeys.length) {
      await tx.db
        .insert(vacancyDedupeKeys)
        .values(derived.dedupeKeys.map((k) => ({ key: k, vacancyId: id })))
        .onConflictDoNothing();
    }
    await tx.db.insert(vacancySources).values({
      vacancyId: id,
      sourceId,
      externalId: reference,
      contentHash: derived.contentHash,
      firstSeenAt: now,
      lastSeenAt: now,
    });
    await tx.db.insert(vacancyEvents).values({
      vacancyId: id,
      kind: 'opened',
      at: now,
      actorUserId: actor.userId,
      detail: { sourceId, reference, placementOrder: order.placement_order },
    });
    const due = order.placement_order
      ? await startClock(tx, {
          vacancyId: id,
          branchId: branch.id,
          caseworkerId: caseworker?.id ?? null,
          startedAt: now,
          actorUserId: actor.userId,
        })
      : null;
    const receipt: OrderReceipt = {
      vacancyId: id,
      reference,
      branch,
      caseworker: caseworker ? { id: caseworker.id, displayName: caseworker.displayName } : null,
      placementOrder: order.placement_order,
      receivedAt: now.toISOString(),
      slaDueAt: due?.dueAt.toISOString() ?? null,
    };
    await enqueueNotification(tx, {
      template: 'order_confirmation',
      cause: `order_confirmation:${id}`,
      recipientUserId: actor.userId,
      vacancyId: id,
      payload: {
        reference,
        title: derived.content.title,
        branchName: branch.name,
        caseworkerId: caseworker?.id ?? null,
        placementOrder: order.placement_order,
        slaDueAt: receipt.slaDueAt,
      },
    });
    await recordAudit(tx, {
      actor,
      action: OPERATION,
      objectType: 'vacancy',
      objectId: id,
      detail: { reference, placementOrder: order.placement_order, assignment: caseworker?.rule ?? null },
    });
    if (keyRef) await storeResponse(tx, keyRef, receipt);
    await appendOutbox(tx, vacancyChanged(id));
    return { ...receipt, replayed: false };
  });
}
