/**
 * The candidates proposed for an employer's vacancy, as a pseudonymous profile (the name only with the customer's
 * consent to share contact details), and the outcomes an employer records: invited, hired, rejected. Reads and
 * changes are audited with purpose 'placement' by the verbs.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { type EmployerProposalView, listProposalsForEmployer } from '../../src/proposals/views.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { EmployerOutcomeBody, OutcomeJson, outcomeJson, recordOutcomeFromWire } from '../proposal-outcome.ts';
import { idParam, json } from '../validate.ts';
import { iso } from '../wire.ts';

const ProposalJson = z.strictObject({
  proposal_id: z.string(),
  proposed_at: z.iso.datetime(),
  note: z.string().nullable(),
  status: z.string(),
  outcome: z.string().nullable(),
  candidate: z
    .strictObject({
      label: z.string(),
      display_name: z.string().nullable().describe("Only with the customer's consent to share contact details"),
      qualifications: z.array(z.string()),
      skills: z.array(z.string()),
      licences: z.array(z.string()),
      languages: z.array(z.object({ language: z.string(), level: z.string() })),
      working_times: z.array(z.string()),
      available_from: z.iso.date().nullable(),
      commute_km: z.number().nullable(),
    })
    .describe('A pseudonymous profile'),
});

/** What an employer may record; no reaction and a candidate's withdrawal are the caseworker's to record. */
function proposalJson(p: EmployerProposalView): z.infer<typeof ProposalJson> {
  const c = p.candidate;
  return {
    proposal_id: p.proposalId,
    proposed_at: p.proposedAt.toISOString(),
    note: p.note,
    status: p.status,
    outcome: p.outcome,
    candidate: {
      label: c.label,
      // Null unless the customer consented to share contact details.
      display_name: c.name,
      qualifications: c.qualifications,
      skills: c.skills,
      licences: c.licences,
      languages: c.languages,
      working_times: c.workingTimes,
      available_from: iso(c.availableFrom)?.slice(0, 10) ?? null,
      commute_km: c.commuteKm,
    },
  };
}

/** Part of the employers' audience (api/v1.ts puts authentication for role employer in front). */
export function employerProposalRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get(
    '/employer/vacancies/:id/proposals',
    describe({
      operationId: 'listOwnOrderProposals',
      summary: "The candidates proposed for one of the employer's orders",
      responses: {
        200: { description: 'Proposals in the order sent', body: z.strictObject({ items: z.array(ProposalJson) }) },
      },
    }),
    idParam('Stelle'),
    async (c) => {
      const items = await listProposalsForEmployer({
        ctx,
        actor: c.get('actor'),
        input: { vacancyId: c.req.valid('param').id },
      });
      return c.json({ items: items.map(proposalJson) });
    },
  );

  app.post(
    '/employer/proposals/:id/outcome',
    describe({
      operationId: 'recordOwnProposalOutcome',
      summary: "Record the employer's outcome of a proposal: invited, hired or rejected",
      responses: { 200: { description: 'The outcome and its effect on the order', body: OutcomeJson } },
      problems: [409],
    }),
    idParam('Vorschlag'),
    json(EmployerOutcomeBody, { refused: 422 }),
    async (c) => {
      const result = await recordOutcomeFromWire(ctx, c.get('actor'), c.req.valid('param').id, c.req.valid('json'));
      return c.json(outcomeJson(result));
    },
  );

  return app;
}
