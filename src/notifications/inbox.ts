/**
 * The in-app inbox: a user's notifications, rendered, newest first. Without SMTP this is where they are read; with
 * SMTP it is the same list with delivery states.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { notifications, users } from '../db/schema.ts';
import { isRowId } from '../domain/ids.ts';
import { issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { namedUserIds, renderTemplate } from './templates.ts';

export const InboxInput = z.object({
  limit: z.number().int().min(1).max(200).default(50),
});

export interface InboxItem {
  id: string;
  template: string;
  subject: string;
  text: string;
  vacancyId: string | null;
  createdAt: Date;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  readAt: Date | null;
}

export async function listInbox({
  ctx,
  actor,
  input = {},
}: {
  ctx: Ctx;
  actor: Actor;
  input?: z.input<typeof InboxInput>;
}): Promise<InboxItem[]> {
  const parsed = InboxInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Anfrage', issuesOf(parsed.error));
  const rows = await ctx.db
    .select()
    .from(notifications)
    .where(eq(notifications.recipientUserId, actor.userId))
    .orderBy(desc(notifications.createdAt))
    .limit(parsed.data.limit);
  const named = [...new Set(rows.flatMap((r) => namedUserIds(r.payload)))];
  const names = named.length
    ? await ctx.db.select({ id: users.id, displayName: users.displayName }).from(users).where(inArray(users.id, named))
    : [];
  const byId = new Map(names.map((n) => [n.id, n.displayName]));
  return rows.map((r) => ({
    id: r.id,
    template: r.template,
    ...renderTemplate(r.template, r.payload, { userName: (id) => (id ? (byId.get(id) ?? null) : null) }),
    vacancyId: r.vacancyId,
    createdAt: r.createdAt,
    status: r.status,
    readAt: r.readAt,
  }));
}

/** Marks one of the actor's own notifications read; anyone else's id is not found. */
export async function markRead({ ctx, actor, input }: { ctx: Ctx; actor: Actor; input: { id: string } }) {
  if (!isRowId(input.id)) throw new NotFound('Benachrichtigung', input.id);
  const rows = await ctx.db
    .update(notifications)
    .set({ readAt: ctx.now() })
    .where(and(eq(notifications.id, input.id), eq(notifications.recipientUserId, actor.userId)))
    .returning({ id: notifications.id });
  if (rows.length === 0) throw new NotFound('Benachrichtigung', input.id);
  return { id: input.id };
}
