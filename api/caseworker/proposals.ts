/**
 * Proposals and the qualified response, for caseworkers, branch leads and admins: send candidates to an employer
 * (every rule checked again at send time; a refusal names, per customer, what failed), list a vacancy's proposals,
 * record outcomes, and give a documented answer instead of proposals. Each sent proposal or documented answer stops
 * the 48-hour clock. The verbs audit every read and change of a proposal with purpose 'placement'.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import type { PairCheck } from '../../src/proposals/pair-check.ts';
import { SendProposalsInput, sendProposals } from '../../src/proposals/send.ts';
import { listProposalsForStaff, type StaffProposalView } from '../../src/proposals/views.ts';
import { RESPONSE_REASON_LABEL, ResponseReason } from '../../src/sla/reasons.ts';
import { RecordResponseInput, recordResponse } from '../../src/sla/respond.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { OutcomeJson, outcomeJson, recordOutcomeFromWire, StaffOutcomeBody } from '../proposal-outcome.ts';
import { idParam, json } from '../validate.ts';
import { iso } from '../wire.ts';

export interface ProposalRoutesDeps {
  ctx: Ctx;
  /** The matcher's rules for one pair, checked again when a proposal is sent (matchers/service/pair-check.ts). */
  pairCheck: PairCheck;
}

const SendBody = z
  .object({
    customer_ids: SendProposalsInput.shape.customerIds,
    note: SendProposalsInput.shape.note,
    /** Proposing from the list that includes the activation profile (`?include=activation` of the match list). */
    include_activation: z.boolean().optional(),
  })
  .strict();

const ResponseBody = z.object({ reason: ResponseReason, note: RecordResponseInput.shape.note }).strict();

const Iso = z.iso.datetime();
const SentJson = z.strictObject({
  vacancy_id: z.string(),
  proposals: z.array(z.strictObject({ proposal_id: z.string(), customer_id: z.string() })),
  qualified_response: z.boolean().describe("Whether this stopped the vacancy's 48-hour clock"),
});
const StaffProposalJson = z.strictObject({
  proposal_id: z.string(),
  proposed_at: Iso,
  note: z.string().nullable(),
  status: z.string(),
  outcome: z.string().nullable(),
  outcome_reason: z.string().nullable(),
  outcome_at: Iso.nullable(),
  invited_at: Iso.nullable(),
  customer_id: z.string().nullable().describe('Null once the customer was deleted'),
  display_name: z.string().nullable().describe("Null for a customer of another branch than the reader's"),
});
const StaffOutcomeJson = OutcomeJson.extend({ follow_up_tasks: z.number().int().min(0) });
const RespondedJson = z.strictObject({
  vacancy_id: z.string(),
  responded_at: Iso,
  reason: ResponseReason,
  reason_label: z.string(),
});

function staffProposalJson(p: StaffProposalView): z.infer<typeof StaffProposalJson> {
  return {
    proposal_id: p.proposalId,
    proposed_at: p.proposedAt.toISOString(),
    note: p.note,
    status: p.status,
    outcome: p.outcome,
    outcome_reason: p.outcomeReason,
    outcome_at: iso(p.outcomeAt),
    invited_at: iso(p.invitedAt),
    customer_id: p.customerId,
    // Null for a customer of another branch: the reader sees that a proposal exists, not who.
    display_name: p.displayName,
  };
}

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front). */
export function proposalRoutes({ ctx, pairCheck }: ProposalRoutesDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post(
    '/vacancies/:id/proposals',
    describe({
      operationId: 'sendProposals',
      summary: 'Propose customers to the employer of a vacancy',
      description: 'Every matching rule is checked again; a refusal (409) names, per customer, what failed.',
      responses: { 201: { description: 'The sent proposals', body: SentJson } },
      problems: [403, 409],
    }),
    idParam('Stelle'),
    json(SendBody),
    async (c) => {
      const body = c.req.valid('json');
      const result = await sendProposals({
        ctx,
        actor: c.get('actor'),
        input: {
          vacancyId: c.req.valid('param').id,
          customerIds: body.customer_ids,
          note: body.note,
          includeActivation: body.include_activation ?? false,
        },
        check: pairCheck,
      });
      const answer: z.infer<typeof SentJson> = {
        vacancy_id: result.vacancyId,
        proposals: result.proposals.map((p) => ({ proposal_id: p.id, customer_id: p.customerId })),
        qualified_response: result.qualifiedResponse,
      };
      return c.json(answer, 201);
    },
  );

  app.get(
    '/vacancies/:id/proposals',
    describe({
      operationId: 'listVacancyProposals',
      summary: 'The proposals sent for a vacancy',
      responses: {
        200: { description: 'Proposals, newest first', body: z.strictObject({ items: z.array(StaffProposalJson) }) },
      },
      problems: [403],
    }),
    idParam('Stelle'),
    async (c) => {
      const items = await listProposalsForStaff({
        ctx,
        actor: c.get('actor'),
        input: { vacancyId: c.req.valid('param').id },
      });
      return c.json({ items: items.map(staffProposalJson) });
    },
  );

  app.post(
    '/proposals/:id/outcome',
    describe({
      operationId: 'recordProposalOutcome',
      summary: "Record a proposal's outcome (invited, hired, rejected, no reaction, withdrawn)",
      responses: { 200: { description: 'The outcome and its effect on the vacancy', body: StaffOutcomeJson } },
      problems: [403, 409],
    }),
    idParam('Vorschlag'),
    json(StaffOutcomeBody),
    async (c) => {
      const result = await recordOutcomeFromWire(ctx, c.get('actor'), c.req.valid('param').id, c.req.valid('json'));
      const answer: z.infer<typeof StaffOutcomeJson> = {
        ...outcomeJson(result),
        follow_up_tasks: result.followUpTasks,
      };
      return c.json(answer);
    },
  );

  app.post(
    '/vacancies/:id/response',
    describe({
      operationId: 'recordQualifiedResponse',
      summary: 'Answer the employer with a documented reason instead of proposals',
      responses: { 200: { description: "The answer; the vacancy's 48-hour clock stops", body: RespondedJson } },
      problems: [403, 409],
    }),
    idParam('Stelle'),
    json(ResponseBody),
    async (c) => {
      const body = c.req.valid('json');
      const result = await recordResponse({
        ctx,
        actor: c.get('actor'),
        input: { vacancyId: c.req.valid('param').id, reason: body.reason, note: body.note },
      });
      const answer: z.infer<typeof RespondedJson> = {
        vacancy_id: result.vacancyId,
        responded_at: result.respondedAt.toISOString(),
        reason: result.reason,
        reason_label: RESPONSE_REASON_LABEL[result.reason],
      };
      return c.json(answer);
    },
  );

  return app;
}
