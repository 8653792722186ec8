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
import { describe } from './openapi.ts';
import { idParam, query, queryInteger } from './validate.ts';
import { iso } from './wire.ts';

const InboxParams = z.object({ limit: queryInteger.pipe(z.number().min(1).max(200)).default(50) });

const InboxItemJson = z.strictObject({
  id: z.string(),
  template: z.string(),
  subject: z.string(),
  text: z.string(),
  vacancy_id: z.string().nullable(),
  created_at: z.iso.datetime(),
  delivery: z.enum(['pending', 'sending', 'sent', 'failed']).describe('Delivery by e-mail'),
  read_at: z.iso.datetime().nullable(),
});
const InboxJson = z.strictObject({ items: z.array(InboxItemJson) });
const ReadJson = z.strictObject({ id: z.string(), read: z.literal(true) });

function inboxItemJson(n: InboxItem): z.infer<typeof InboxItemJson> {
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
  // The same routes in two audiences: one operation id each.
  const audience = prefix === '' ? 'Staff' : 'Employer';

  app.get(
    `${prefix}/notifications`,
    describe({
      operationId: `list${audience}Notifications`,
      summary: "The reader's own notifications, newest first",
      responses: { 200: { description: 'The inbox', body: InboxJson } },
    }),
    query(InboxParams),
    async (c) => {
      const items = await listInbox({ ctx, actor: c.get('actor'), input: { limit: c.req.valid('query').limit } });
      return c.json({ items: items.map(inboxItemJson) });
    },
  );

  app.post(
    `${prefix}/notifications/:id/read`,
    describe({
      operationId: `mark${audience}NotificationRead`,
      summary: "Mark one of the reader's notifications read (anyone else's is 404)",
      responses: { 200: { description: 'Marked read', body: ReadJson } },
    }),
    idParam('Benachrichtigung'),
    async (c) => {
      const { id } = await markRead({ ctx, actor: c.get('actor'), input: { id: c.req.valid('param').id } });
      const answer: z.infer<typeof ReadJson> = { id, read: true };
      return c.json(answer);
    },
  );

  return app;
}
