import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { branches, notifications, users } from '../../src/db/schema.ts';
import { backoffMs, deliverDue, messageIdOf } from '../../src/notifications/deliver.ts';
import { enqueueNotification } from '../../src/notifications/enqueue.ts';
import { smtpTransport } from '../../src/notifications/smtp.ts';
import type { MailTransport } from '../../src/notifications/transport.ts';
import { addUser } from '../../src/users/add-user.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { startSmtpServer } from '../helpers/smtp-server.ts';

/** The test SMTP server; `failOnce` answers the next message with a temporary error (451). */
async function startSmtp() {
  let failNext = 0;
  const server = await startSmtpServer(() => {
    if (failNext === 0) return 'accept';
    failNext -= 1;
    return Object.assign(new Error('Bitte später erneut versuchen'), { responseCode: 451 });
  });
  return {
    ...server,
    failOnce: () => {
      failNext = 1;
    },
  };
}

describe.each(testDatabases())('notification delivery on $name', (factory) => {
  let database: Database;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let transport: MailTransport;

  beforeAll(async () => {
    database = await openMigrated(factory);
    smtp = await startSmtp();
    transport = smtpTransport({ url: smtp.url, from: '"Jobcenter (Demo)" <noreply@example.invalid>' });
  });
  afterAll(async () => {
    await transport?.close?.();
    await smtp?.close();
    await database?.close();
  });

  it('sends once, retries a failed attempt with backoff, and never resends after success', async () => {
    const now = new Date('2026-11-20T15:00:00Z');
    const ctx = testContext(database.db, now);
    await ctx.db.insert(branches).values({ id: 1, name: 'Zweigstelle Mitte (Test)', plz: '70173' });
    const { userId } = await addUser({ ctx, input: { email: 'personal@example.invalid', role: 'employer' } });
    const { userId: lead } = await addUser({
      ctx,
      input: {
        email: 'leitung@example.invalid',
        role: 'branch_lead',
        branchId: 1,
        displayName: 'Erika Leitung (Demo)',
      },
    });
    const payload = {
      reference: 'JB-2026-000001',
      title: 'Koch / Köchin (m/w/d)',
      branchName: 'Zweigstelle Mitte (Test)',
      caseworkerId: lead,
      placementOrder: true,
      slaDueAt: '2026-11-22T15:00:00.000Z',
    };
    const draft = {
      template: 'order_confirmation' as const,
      cause: 'order_confirmation:test-1',
      recipientUserId: userId,
      payload,
    };
    expect(await enqueueNotification(ctx, draft)).toBe(true);
    // The same cause again (a job delivered twice) writes nothing.
    expect(await enqueueNotification(ctx, draft)).toBe(false);

    smtp.failOnce();
    expect(await deliverDue(ctx, transport, now)).toEqual({ sent: 0, retried: 1, failed: 0 });
    const [afterFailure] = await ctx.db.select().from(notifications).where(eq(notifications.recipientUserId, userId));
    expect(afterFailure).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/\S/) });
    expect(afterFailure!.lastError).not.toContain('example.invalid');
    expect(afterFailure!.nextAttemptAt).toEqual(new Date(now.getTime() + backoffMs(1)));

    // Before the backoff has passed nothing is sent; after it, once.
    expect(await deliverDue(ctx, transport, new Date(now.getTime() + 1_000))).toEqual({
      sent: 0,
      retried: 0,
      failed: 0,
    });
    const later = new Date(now.getTime() + backoffMs(1));
    ctx.setNow(later);
    expect(await deliverDue(ctx, transport, later)).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(await deliverDue(ctx, transport, new Date(later.getTime() + 3_600_000))).toEqual({
      sent: 0,
      retried: 0,
      failed: 0,
    });

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toEqual(['personal@example.invalid']);
    // Long header lines are folded; unfolded, the Message-ID names the notification.
    const headers = mail.raw.replace(/\r\n[ \t]+/g, ' ');
    expect(headers).toContain(`Message-ID: ${messageIdOf(afterFailure!.id)}`);
    expect(mail.raw).toMatch(/Subject: .*JB-2026-000001/);
    const [sent] = await ctx.db.select().from(notifications).where(eq(notifications.id, afterFailure!.id));
    expect(sent).toMatchObject({ status: 'sent', attempts: 2, sentAt: later, lastError: null });
  });

  it('takes over a claim whose sender died after the lease, and gives up on recipients without an address', async () => {
    const now = new Date('2026-11-21T10:00:00Z');
    const ctx = testContext(database.db, now);
    const [user] = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, 'personal@example.invalid'));
    await enqueueNotification(ctx, {
      template: 'proposals_received',
      cause: 'proposals_received:test-2',
      recipientUserId: user!.id,
      payload: { reference: 'JB-2026-000002', title: 'Spüler (m/w/d)', count: 2 },
    });
    // A sender claimed it and died: the row stays 'sending' until the lease passes.
    const dying: MailTransport = {
      send: () => new Promise(() => {}),
    };
    void deliverDue(ctx, dying, now);
    await new Promise((r) => setTimeout(r, 200));
    const before = smtp.received.length;
    expect(await deliverDue(ctx, transport, new Date(now.getTime() + 60_000))).toEqual({
      sent: 0,
      retried: 0,
      failed: 0,
    });
    expect(await deliverDue(ctx, transport, new Date(now.getTime() + 11 * 60_000))).toEqual({
      sent: 1,
      retried: 0,
      failed: 0,
    });
    expect(smtp.received.length).toBe(before + 1);

    await ctx.db.update(users).set({ disabledAt: now }).where(eq(users.id, user!.id));
    await enqueueNotification(ctx, {
      template: 'proposals_received',
      cause: 'proposals_received:test-3',
      recipientUserId: user!.id,
      payload: { reference: 'JB-2026-000003', title: 'Spüler (m/w/d)', count: 1 },
    });
    expect(await deliverDue(ctx, transport, new Date(now.getTime() + 12 * 60_000))).toEqual({
      sent: 0,
      retried: 0,
      failed: 1,
    });
  });
});
