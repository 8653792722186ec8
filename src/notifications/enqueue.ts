/**
 * Writes notifications into the outbox, always inside the transaction of their cause, so a notification exists if
 * and only if its cause committed. The dedupe key names the cause and the recipient: processing a cause twice (a
 * job delivered twice) writes one notification.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { notifications, users } from '../db/schema.ts';
import type { NotificationTemplate, TemplatePayload } from './templates.ts';
import { TemplatePayloads } from './templates.ts';

export interface NotificationDraft<T extends NotificationTemplate> {
  template: T;
  /** The cause, e.g. `order_confirmation:<vacancy id>`; the recipient is appended. */
  cause: string;
  recipientUserId: string;
  vacancyId?: string | null;
  payload: TemplatePayload<T>;
}

/** Returns true when a notification was written, false when the same cause had already written it. */
export async function enqueueNotification<T extends NotificationTemplate>(
  tx: Ctx,
  draft: NotificationDraft<T>,
): Promise<boolean> {
  // Parsed on the way in too: a payload that would not render later is a bug of the caller, found now.
  const payload = TemplatePayloads[draft.template].parse(draft.payload) as Record<string, unknown>;
  const now = tx.now();
  const rows = await tx.db
    .insert(notifications)
    .values({
      dedupeKey: `${draft.cause}:${draft.recipientUserId}`,
      template: draft.template,
      recipientUserId: draft.recipientUserId,
      vacancyId: draft.vacancyId ?? null,
      payload,
      createdAt: now,
      nextAttemptAt: now,
    })
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .returning({ id: notifications.id });
  return rows.length > 0;
}

/** The active branch leads of a branch: escalations and breaches go to each of them. */
export async function branchLeads(tx: Ctx, branchId: number): Promise<string[]> {
  const rows = await tx.db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'branch_lead'), eq(users.branchId, branchId), isNull(users.disabledAt)));
  return rows.map((r) => r.id);
}
