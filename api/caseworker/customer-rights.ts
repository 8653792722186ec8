/**
 * The data subject's rights for customers (issue 10, point 3; docs/data-protection.md): delete a customer whose
 * purpose has ended, restrict processing (Art. 18 GDPR) and lift the restriction, for caseworkers and branch leads
 * of the customer's branch and admins; and the subject-access export (Art. 15) for admins. The verbs check access
 * and audit (src/customers/retention.ts, subject-access.ts); this module adds what lives outside the database: the
 * matcher of this process catches up at once (other processes follow the outbox), and the queue backend forgets
 * the deleted customer's jobs.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { MatchService } from '../../matchers/service/match-service.ts';
import { forgetCustomerInQueues } from '../../queues/forget-customer.ts';
import type { Queues } from '../../queues/queues.ts';
import type { Ctx } from '../../src/context.ts';
import {
  DELETION_REASON_LABEL,
  deleteCustomer,
  liftRestriction,
  type RestrictionState,
  restrictCustomer,
  restrictionLabel,
} from '../../src/customers/retention.ts';
import { exportCustomerData } from '../../src/customers/subject-access.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { idParam, json, query } from '../validate.ts';
import { iso } from '../wire.ts';

export interface CustomerRightsDeps {
  ctx: Ctx;
  /** This process's matcher: it drops a deleted or restricted customer before the answer is sent. */
  matchService: MatchService;
  /** The queues, to remove a deleted customer's jobs; without them the jobs expire on their own (queues/queues.ts). */
  queues?: Queues;
}

/** The reason is checked by the verb, so a missing or unknown one is named with the codes there are. */
const DeleteParams = z.object({ reason: z.string().optional() }).strict();
const RestrictBody = z.object({ reason: z.string().optional() }).strict();

/** The restriction as the customer list and profile show it; spread into their JSON. */
export function restrictionJson(c: { restrictedAt: Date | null; restrictedReason: string | null }) {
  return {
    restricted: c.restrictedAt !== null,
    restricted_at: iso(c.restrictedAt),
    restricted_reason: c.restrictedReason,
    restricted_reason_label: restrictionLabel(c.restrictedReason),
  };
}

function stateJson(s: RestrictionState) {
  return { id: s.id, ...restrictionJson({ restrictedAt: s.restrictedAt, restrictedReason: s.reason }) };
}

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front). */
export function customerRightsRoutes({ ctx, matchService, queues }: CustomerRightsDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.delete('/customers/:id', idParam('Kunde'), query(DeleteParams), async (c) => {
    const result = await deleteCustomer({
      ctx,
      actor: c.get('actor'),
      id: c.req.valid('param').id,
      input: { reason: c.req.valid('query').reason },
    });
    await matchService.sync(ctx);
    const queued = queues ? await forgetCustomerInQueues(queues, result.id, ctx.log) : null;
    return c.json({
      id: result.id,
      deleted: true,
      deleted_at: result.deletedAt.toISOString(),
      reason: result.reason,
      reason_label: DELETION_REASON_LABEL[result.reason],
      proposals_kept: result.proposalsKept,
      vacancy_lists_changed: result.vacancyListsChanged,
      queued_jobs_removed: queued?.jobs ?? null,
    });
  });

  app.post('/customers/:id/restriction', idParam('Kunde'), json(RestrictBody), async (c) => {
    const state = await restrictCustomer({
      ctx,
      actor: c.get('actor'),
      id: c.req.valid('param').id,
      input: { reason: c.req.valid('json').reason },
    });
    await matchService.sync(ctx);
    return c.json(stateJson(state));
  });

  app.delete('/customers/:id/restriction', idParam('Kunde'), async (c) => {
    const state = await liftRestriction({ ctx, actor: c.get('actor'), id: c.req.valid('param').id });
    await matchService.sync(ctx);
    return c.json(stateJson(state));
  });

  app.get('/customers/:id/export', idParam('Kunde'), async (c) => {
    const doc = await exportCustomerData(ctx, c.get('actor'), c.req.valid('param').id);
    c.header('Content-Disposition', `attachment; filename="auskunft-${doc.customer_id}.json"`);
    return c.json(doc);
  });

  return app;
}
