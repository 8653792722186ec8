/**
 * Recording a proposal's outcome over HTTP, for employers and staff alike: one body on the wire, one mapping to the
 * verb, one answer. What differs by audience is only which outcomes a caller may send (employers: invited, hired,
 * rejected) and that staff also learn the follow-up tasks a hire created.
 */
import { z } from 'zod';
import type { Actor } from '../src/audit/record.ts';
import type { Ctx } from '../src/context.ts';
import {
  ProposalOutcome,
  RecordOutcomeInput,
  type RecordOutcomeResult,
  recordOutcome,
} from '../src/proposals/outcome.ts';

const outcomeBody = <O extends z.ZodType<z.infer<typeof ProposalOutcome>>>(outcome: O) =>
  z
    .object({
      outcome,
      reason: RecordOutcomeInput.shape.reason,
      note: RecordOutcomeInput.shape.note,
      start_date: RecordOutcomeInput.shape.startDate,
    })
    .strict();

export const StaffOutcomeBody = outcomeBody(ProposalOutcome);
export const EmployerOutcomeBody = outcomeBody(ProposalOutcome.extract(['invited', 'hired', 'rejected']));
type OutcomeBody = z.infer<typeof StaffOutcomeBody>;

export function recordOutcomeFromWire(ctx: Ctx, actor: Actor, proposalId: string, body: OutcomeBody) {
  return recordOutcome({
    ctx,
    actor,
    input: { proposalId, outcome: body.outcome, reason: body.reason, note: body.note, startDate: body.start_date },
  });
}

/** The answer to a recorded outcome. */
export const OutcomeJson = z.strictObject({
  proposal_id: z.string(),
  vacancy_id: z.string(),
  outcome: ProposalOutcome,
  status: z.string(),
  positions: z.number().int(),
  positions_filled: z.number().int(),
  vacancy_filled: z.boolean(),
});

export function outcomeJson(result: RecordOutcomeResult): z.infer<typeof OutcomeJson> {
  return {
    proposal_id: result.proposalId,
    vacancy_id: result.vacancyId,
    outcome: result.outcome,
    status: result.status,
    positions: result.positions,
    positions_filled: result.positionsFilled,
    vacancy_filled: result.vacancyFilled,
  };
}
