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
  DeletionReason,
  deleteCustomer,
  liftRestriction,
  RestrictionReason,
  type RestrictionState,
  restrictCustomer,
  restrictionLabel,
} from '../../src/customers/retention.ts';
import { exportCustomerData, SUBJECT_ACCESS_FORMAT } from '../../src/customers/subject-access.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { idParam, json, query } from '../validate.ts';
import { iso } from '../wire.ts';

export interface CustomerRightsDeps {
  ctx: Ctx;
  /** This process's matcher: it drops a deleted or restricted customer before the answer is sent. */
  matchService: MatchService;
  /** The queues, to remove a deleted customer's jobs; without them the jobs expire on their own (queues/queues.ts). */
  queues?: Queues;
}

/**
 * The reason is checked by the verb, after access: a missing or unknown one is named with the codes there are, and
 * a caller outside the branch is refused as such whatever they sent.
 */
const DeleteParams = z
  .object({
    reason: z
      .string()
      .optional()
      .describe(`Required; one of: ${DeletionReason.options.join(', ')}`),
  })
  .strict();
const RestrictBody = z
  .object({
    reason: z
      .string()
      .optional()
      .describe(`Required; one of: ${RestrictionReason.options.join(', ')}`),
  })
  .strict();

const Iso = z.iso.datetime();

/** The restriction's fields of a customer's JSON (list, profile, and the restriction routes' answers). */
export const RestrictionJson = z.strictObject({
  restricted: z.boolean().describe('Processing restricted (Art. 18 GDPR): in no list, not to be proposed'),
  restricted_at: Iso.nullable(),
  restricted_reason: z.string().nullable(),
  restricted_reason_label: z.string().nullable(),
});
type RestrictionJson = z.infer<typeof RestrictionJson>;

const RestrictionStateJson = RestrictionJson.extend({ id: z.string() });

const DeletedJson = z.strictObject({
  id: z.string(),
  deleted: z.literal(true),
  deleted_at: Iso,
  reason: DeletionReason,
  reason_label: z.string(),
  proposals_kept: z.number().int().min(0).describe("Proposals kept for the employer's order, without the person"),
  vacancy_lists_changed: z.number().int().min(0),
  queued_jobs_removed: z
    .number()
    .int()
    .min(0)
    .nullable()
    .describe('Queued jobs naming the customer that were removed; null where this process has no queues'),
});
type DeletedJson = z.infer<typeof DeletedJson>;

const Section = z.record(z.string(), z.unknown());
/** The subject-access document (src/customers/subject-access.ts): every section present, empty when nothing is held. */
const SubjectAccessJson = z.strictObject({
  format: z.literal(SUBJECT_ACCESS_FORMAT),
  exported_at: Iso,
  customer_id: z.string(),
  customer: Section,
  proposals: z.array(Section),
  match_list: Section.nullable(),
  vacancy_lists: z.array(Section),
  audit_entries: z.array(Section),
  tasks: z.array(Section),
  notifications: z.array(Section),
});

/** The restriction as the customer list and profile show it; spread into their JSON. */
export function restrictionJson(c: { restrictedAt: Date | null; restrictedReason: string | null }): RestrictionJson {
  return {
    restricted: c.restrictedAt !== null,
    restricted_at: iso(c.restrictedAt),
    restricted_reason: c.restrictedReason,
    restricted_reason_label: restrictionLabel(c.restrictedReason),
  };
}

function stateJson(s: RestrictionState): z.infer<typeof RestrictionStateJson> {
  return { id: s.id, ...restrictionJson({ restrictedAt: s.restrictedAt, restrictedReason: s.reason }) };
}

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front). */
export function customerRightsRoutes({ ctx, matchService, queues }: CustomerRightsDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.delete(
    '/customers/:id',
    describe({
      operationId: 'deleteCustomer',
      summary: 'Delete a customer whose purpose has ended (their proposals stay, without the person)',
      description:
        "Removes the person from every table, every stored vacancy list, this process's matcher and the queued " +
        'jobs; other processes follow the outbox. `reason` is required.',
      responses: { 200: { description: 'What was deleted and what was kept', body: DeletedJson } },
      // Another branch than the caller's.
      problems: [403],
    }),
    idParam('Kunde'),
    query(DeleteParams),
    async (c) => {
      const result = await deleteCustomer({
        ctx,
        actor: c.get('actor'),
        id: c.req.valid('param').id,
        input: { reason: c.req.valid('query').reason },
      });
      await matchService.sync(ctx);
      const queued = queues ? await forgetCustomerInQueues(queues, result.id, ctx.log) : null;
      const answer: DeletedJson = {
        id: result.id,
        deleted: true,
        deleted_at: result.deletedAt.toISOString(),
        reason: result.reason,
        reason_label: DELETION_REASON_LABEL[result.reason],
        proposals_kept: result.proposalsKept,
        vacancy_lists_changed: result.vacancyListsChanged,
        queued_jobs_removed: queued?.jobs ?? null,
      };
      return c.json(answer);
    },
  );

  app.post(
    '/customers/:id/restriction',
    describe({
      operationId: 'restrictCustomer',
      summary: 'Restrict processing of a customer (Art. 18 GDPR): out of every list, not to be proposed',
      responses: { 200: { description: 'The restriction now in force', body: RestrictionStateJson } },
      // Another branch than the caller's; already restricted.
      problems: [403, 409],
    }),
    idParam('Kunde'),
    json(RestrictBody),
    async (c) => {
      const state = await restrictCustomer({
        ctx,
        actor: c.get('actor'),
        id: c.req.valid('param').id,
        input: { reason: c.req.valid('json').reason },
      });
      await matchService.sync(ctx);
      return c.json(stateJson(state));
    },
  );

  app.delete(
    '/customers/:id/restriction',
    describe({
      operationId: 'liftCustomerRestriction',
      summary: 'Lift the restriction of processing: the customer is matched again',
      responses: { 200: { description: 'The customer, no longer restricted', body: RestrictionStateJson } },
      // Another branch than the caller's; not restricted.
      problems: [403, 409],
    }),
    idParam('Kunde'),
    async (c) => {
      const state = await liftRestriction({ ctx, actor: c.get('actor'), id: c.req.valid('param').id });
      await matchService.sync(ctx);
      return c.json(stateJson(state));
    },
  );

  app.get(
    '/customers/:id/export',
    describe({
      operationId: 'exportCustomerData',
      summary: 'Everything held about a customer, as one JSON document (Art. 15 GDPR; admins)',
      responses: {
        200: {
          description: 'The subject-access document, as a download',
          body: SubjectAccessJson,
          headers: {
            'Content-Disposition': {
              description: 'attachment; filename="auskunft-<id>.json"',
              schema: { type: 'string' },
            },
          },
        },
      },
      // Everyone but admins.
      problems: [403],
    }),
    idParam('Kunde'),
    async (c) => {
      const doc: z.infer<typeof SubjectAccessJson> = await exportCustomerData(
        ctx,
        c.get('actor'),
        c.req.valid('param').id,
      );
      c.header('Content-Disposition', `attachment; filename="auskunft-${doc.customer_id}.json"`);
      return c.json(doc);
    },
  );

  return app;
}
