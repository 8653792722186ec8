/**
 * The in-app inbox, the same routes for every signed-in audience below its own prefix (`/employer/notifications`
 * for employers, `/notifications` for staff): one's own notifications, newest first, and marking one read. Another
 * user's notification is 404.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../src/context.ts';
import { type InboxItem, listInbox, markRead } from '../src/notifications/inbox.ts';
import type { AuthVariables } from './middleware/auth.ts';
import { idParam, query, queryInteger } from './validate.ts';
import { iso } from './wire.ts';

const InboxParams = z.object({ limit: queryInteger.pipe(z.number().min(1).max(200)).default(50) });

function inboxItemJson(n: InboxItem) {
  return {
    id: n.id,
    template: n.template,
    subject: n.subject,
    text: n.text,
    vacancy_id: n.vacancyId,
    created_at: n.createdAt.toISOString(),
    /** Delivery by e-mail: pending, sending, sent or failed; without SMTP the inbox is where it is read. */
    delivery: n.status,
    read_at: iso(n.readAt),
  };
}

/** Inbox routes below `prefix` ('' or '/employer'), for an audience mounted with authentication. */
export function inboxRoutes({ ctx }: { ctx: Ctx }, prefix: '' | '/employer') {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get(`${prefix}/notifications`, query(InboxParams), async (c) => {
    const items = await listInbox({ ctx, actor: c.get('actor'), input: { limit: c.req.valid('query').limit } });
    return c.json({ items: items.map(inboxItemJson) });
  });

  app.post(`${prefix}/notifications/:id/read`, idParam('Benachrichtigung'), async (c) => {
    const { id } = await markRead({ ctx, actor: c.get('actor'), input: { id: c.req.valid('param').id } });
    return c.json({ id, read: true });
  });

  return app;
}
