/**
 * Delivers due notifications: claim, send, record, one row at a time.
 *
 * - Claim: a row that is pending and due, or whose claim is older than the lease (its sender died), is set to
 *   'sending' with its attempt counted, under `for update skip locked`, so two deliverers never claim one row.
 * - Send, then record 'sent' at once. A row marked 'sent' is never claimed again: a retry after success cannot
 *   send twice.
 * - A failure puts the row back to 'pending' with exponential backoff (30 s, 1 min, 2 min … at most 1 h), and
 *   after `maxAttempts` to 'failed', where it stays visible (never lost, never deleted).
 * - The one window left: a process that dies after the server accepted the message and before 'sent' is written.
 *   After the lease the row is claimed again and the message sent a second time, at most once per such crash,
 *   with the same Message-ID, so mail systems and readers can recognise the duplicate.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { notifications, users } from '../db/schema.ts';
import { namedUserIds, renderTemplate } from './templates.ts';
import { type MailTransport, PermanentDeliveryError } from './transport.ts';

export interface DeliverOptions {
  /** Rows per call. @defaultValue 50 */
  limit?: number;
  /** How long a claim protects a row being sent. @defaultValue 10 minutes */
  leaseMs?: number;
  /** Attempts before a row is marked failed. @defaultValue 10 */
  maxAttempts?: number;
  /** Domain of the Message-ID. @defaultValue 'jobbruecke.invalid' */
  messageIdDomain?: string;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 3_600_000;

/** Delay before attempt n+1 after n failed attempts. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

export function messageIdOf(notificationId: string, domain = 'jobbruecke.invalid'): string {
  return `<notification-${notificationId}@${domain}>`;
}

type Claimed = Pick<
  typeof notifications.$inferSelect,
  'id' | 'template' | 'payload' | 'recipientUserId' | 'recipientAddress' | 'attempts'
>;

async function claim(ctx: Ctx, now: Date, limit: number, leaseMs: number): Promise<Claimed[]> {
  const staleClaim = new Date(now.getTime() - leaseMs);
  const result = await ctx.db.execute<Record<string, unknown>>(sql`
    update notifications set status = 'sending', claimed_at = ${now.toISOString()}::timestamptz, attempts = attempts + 1
    where id in (
      select id from notifications
      where (status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz)
         or (status = 'sending' and claimed_at <= ${staleClaim.toISOString()}::timestamptz)
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning id, template, payload, recipient_user_id, recipient_address, attempts`);
  const rows = (result as unknown as { rows: Array<Record<string, unknown>> }).rows;
  return rows.map((r) => ({
    id: r.id as string,
    template: r.template as string,
    payload: r.payload as Record<string, unknown>,
    recipientUserId: (r.recipient_user_id as string | null) ?? null,
    recipientAddress: (r.recipient_address as string | null) ?? null,
    attempts: Number(r.attempts),
  }));
}

/** Sends what is due through `transport`; call it from a periodic job. */
export async function deliverDue(
  ctx: Ctx,
  transport: MailTransport,
  now: Date = ctx.now(),
  options: DeliverOptions = {},
): Promise<DeliveryReport> {
  const { limit = 50, leaseMs = 600_000, maxAttempts = 10, messageIdDomain = 'jobbruecke.invalid' } = options;
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  const claimed = await claim(ctx, now, limit, leaseMs);
  if (claimed.length === 0) return report;

  // Recipients' addresses and the staff names the templates mention, read once for the batch.
  const userIds = new Set<string>();
  for (const n of claimed) {
    if (n.recipientUserId) userIds.add(n.recipientUserId);
    for (const id of namedUserIds(n.payload)) userIds.add(id);
  }
  const people = userIds.size
    ? await ctx.db
        .select({ id: users.id, email: users.email, displayName: users.displayName, disabledAt: users.disabledAt })
        .from(users)
        .where(inArray(users.id, [...userIds]))
    : [];
  const byId = new Map(people.map((p) => [p.id, p]));
  const lookups = { userName: (id: string | null) => (id ? (byId.get(id)?.displayName ?? null) : null) };

  for (const n of claimed) {
    const mark = (set: Partial<typeof notifications.$inferInsert>) =>
      ctx.db
        .update(notifications)
        .set(set)
        // Still our claim: each claim counts an attempt, so the count names it.
        .where(
          and(eq(notifications.id, n.id), eq(notifications.status, 'sending'), eq(notifications.attempts, n.attempts)),
        );
    try {
      const recipient = n.recipientUserId ? byId.get(n.recipientUserId) : undefined;
      const to = recipient && !recipient.disabledAt ? recipient.email : n.recipientAddress;
      if (!to) throw new PermanentDeliveryError('no_recipient');
      const message = renderTemplate(n.template, n.payload, lookups);
      await transport.send({ to, ...message, messageId: messageIdOf(n.id, messageIdDomain) });
      await mark({ status: 'sent', sentAt: ctx.now(), lastError: null });
      report.sent += 1;
    } catch (err) {
      const code = errorCode(err);
      if (err instanceof PermanentDeliveryError || n.attempts >= maxAttempts) {
        await mark({ status: 'failed', lastError: code, claimedAt: null });
        report.failed += 1;
        ctx.log.warn({ notificationId: n.id, attempts: n.attempts, code }, 'notification failed for good');
      } else {
        await mark({
          status: 'pending',
          lastError: code,
          claimedAt: null,
          nextAttemptAt: new Date(now.getTime() + backoffMs(n.attempts)),
        });
        report.retried += 1;
        ctx.log.info({ notificationId: n.id, attempts: n.attempts, code }, 'notification will be retried');
      }
    }
  }
  return report;
}

/** An error's code or class, never its message: transport messages may quote addresses. */
function errorCode(err: unknown): string {
  if (err instanceof PermanentDeliveryError) return err.code;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.length <= 60) return code;
  return err instanceof Error ? err.name : 'error';
}
