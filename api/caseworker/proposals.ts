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
import { outcomeJson, recordOutcomeFromWire, StaffOutcomeBody } from '../proposal-outcome.ts';
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

function staffProposalJson(p: StaffProposalView) {
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

  app.post('/vacancies/:id/proposals', idParam('Stelle'), json(SendBody), async (c) => {
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
    return c.json(
      {
        vacancy_id: result.vacancyId,
        proposals: result.proposals.map((p) => ({ proposal_id: p.id, customer_id: p.customerId })),
        qualified_response: result.qualifiedResponse,
      },
      201,
    );
  });

  app.get('/vacancies/:id/proposals', idParam('Stelle'), async (c) => {
    const items = await listProposalsForStaff({
      ctx,
      actor: c.get('actor'),
      input: { vacancyId: c.req.valid('param').id },
    });
    return c.json({ items: items.map(staffProposalJson) });
  });

  app.post('/proposals/:id/outcome', idParam('Vorschlag'), json(StaffOutcomeBody), async (c) => {
    const result = await recordOutcomeFromWire(ctx, c.get('actor'), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ ...outcomeJson(result), follow_up_tasks: result.followUpTasks });
  });

  app.post('/vacancies/:id/response', idParam('Stelle'), json(ResponseBody), async (c) => {
    const body = c.req.valid('json');
    const result = await recordResponse({
      ctx,
      actor: c.get('actor'),
      input: { vacancyId: c.req.valid('param').id, reason: body.reason, note: body.note },
    });
    return c.json({
      vacancy_id: result.vacancyId,
      responded_at: result.respondedAt.toISOString(),
      reason: result.reason,
      reason_label: RESPONSE_REASON_LABEL[result.reason],
    });
  });

  return app;
}
