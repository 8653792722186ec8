/**
 * The 48-hour promise as staff see it: placement orders by SLA state, earliest due first (the employer service's
 * inbox), the summary over a period (compliance, response times, breaches with reasons, placement figures), and the
 * fixed list of documented answers. Caseworkers and branch leads see their own branch, admins all or one.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { listSlaVacancies, type SlaVacancy } from '../../src/sla/list.ts';
import { RESPONSE_REASON_LABEL, ResponseReason, responseLabel } from '../../src/sla/reasons.ts';
import { SLA_STATE_LABEL, SlaState } from '../../src/sla/state.ts';
import { type SlaFigures, type SlaSummary, slaSummary } from '../../src/sla/summary.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { query } from '../validate.ts';
import { iso, pageJson, pageParams, pageWindow, queryBranchId } from '../wire.ts';

const Branch = queryBranchId;
/** An ISO date-time with offset, or a day (YYYY-MM-DD, read as UTC midnight). */
const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

const ListParams = z.object({ state: SlaState.optional(), branch: Branch.optional(), ...pageParams(200, 100) });
const SummaryParams = z.object({
  from: Instant.optional(),
  to: Instant.optional(),
  branch: Branch.optional(),
  group_by: z.enum(['branch', 'caseworker', 'week']).optional(),
});

const Iso = z.iso.datetime();
const Rate = z.number().nullable();
const SlaVacancyJson = z.strictObject({
  vacancy_id: z.string(),
  reference: z.string().nullable(),
  title: z.string(),
  employer: z.string().nullable(),
  branch_id: z.number().int(),
  caseworker: z.strictObject({ id: z.string(), display_name: z.string() }).nullable(),
  started_at: Iso,
  reminder_due_at: Iso,
  escalation_due_at: Iso,
  due_at: Iso,
  responded_at: Iso.nullable(),
  response_reason: z.string().nullable(),
  response_label: z.string().nullable(),
  state: SlaState,
  state_label: z.string(),
});
const SlaPageJson = z.strictObject({
  items: z.array(SlaVacancyJson),
  page: z.number().int(),
  per_page: z.number().int(),
  next_page: z.number().int().nullable(),
});
const FiguresJson = {
  orders: z.number().int(),
  counts: z.strictObject(
    Object.fromEntries(SlaState.options.map((state) => [state, z.number().int()])) as Record<SlaState, z.ZodNumber>,
  ),
  compliance_rate: Rate,
  median_response_hours: Rate,
  p90_response_hours: Rate,
  placement: z.strictObject({
    proposals: z.number().int(),
    proposals_per_order: Rate,
    invitation_rate: Rate,
    hire_rate: Rate,
    filled: z.number().int(),
    median_days_to_fill: Rate,
  }),
};
const SummaryJson = z.strictObject({
  from: Iso,
  to: Iso,
  branch: z.number().int().nullable(),
  group_by: z.enum(['branch', 'caseworker', 'week']).nullable(),
  total: z.strictObject(FiguresJson),
  groups: z.array(z.strictObject({ key: z.string(), label: z.string(), ...FiguresJson })),
  breaches: z.array(
    z.strictObject({
      vacancy_id: z.string(),
      reference: z.string().nullable(),
      branch_id: z.number().int(),
      caseworker_id: z.string().nullable(),
      due_at: Iso,
      responded_at: Iso.nullable(),
      reason: z.string().nullable(),
      reason_label: z.string().nullable(),
      state: z.enum(['breached', 'met_late']),
    }),
  ),
});
const ReasonsJson = z.strictObject({
  items: z.array(z.strictObject({ code: ResponseReason, label: z.string() })),
});

function slaVacancyJson(v: SlaVacancy): z.infer<typeof SlaVacancyJson> {
  return {
    vacancy_id: v.vacancyId,
    reference: v.reference,
    title: v.title,
    employer: v.employerName,
    branch_id: v.branchId,
    caseworker: v.caseworker ? { id: v.caseworker.id, display_name: v.caseworker.displayName } : null,
    started_at: v.startedAt.toISOString(),
    reminder_due_at: v.reminderDueAt.toISOString(),
    escalation_due_at: v.escalationDueAt.toISOString(),
    due_at: v.dueAt.toISOString(),
    responded_at: iso(v.respondedAt),
    response_reason: v.responseReason,
    response_label: responseLabel(v.responseReason),
    state: v.state,
    state_label: SLA_STATE_LABEL[v.state],
  };
}

function figuresJson(f: SlaFigures) {
  const p = f.placement;
  return {
    orders: f.orders,
    counts: f.counts,
    compliance_rate: f.complianceRate,
    median_response_hours: f.medianResponseHours,
    p90_response_hours: f.p90ResponseHours,
    placement: {
      proposals: p.proposals,
      proposals_per_order: p.proposalsPerOrder,
      invitation_rate: p.invitationRate,
      hire_rate: p.hireRate,
      filled: p.filled,
      median_days_to_fill: p.medianDaysToFill,
    },
  };
}

function summaryJson(s: SlaSummary): z.infer<typeof SummaryJson> {
  return {
    from: s.from.toISOString(),
    to: s.to.toISOString(),
    branch: s.branch,
    group_by: s.groupBy,
    total: figuresJson(s.total),
    groups: s.groups.map((g) => ({ key: g.key, label: g.label, ...figuresJson(g) })),
    breaches: s.breaches.map((b) => ({
      vacancy_id: b.vacancyId,
      reference: b.reference,
      branch_id: b.branchId,
      caseworker_id: b.caseworkerId,
      due_at: b.dueAt.toISOString(),
      responded_at: iso(b.respondedAt),
      reason: b.reason,
      reason_label: responseLabel(b.reason),
      state: b.state,
    })),
  };
}

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front). */
export function slaRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get(
    '/sla/vacancies',
    describe({
      operationId: 'listSlaVacancies',
      summary: 'Placement orders by the state of their 48-hour promise, earliest due first',
      responses: { 200: { description: 'One page of orders', body: SlaPageJson } },
      problems: [403],
    }),
    query(ListParams),
    async (c) => {
      const params = c.req.valid('query');
      const rows = await listSlaVacancies({
        ctx,
        actor: c.get('actor'),
        input: { state: params.state, branch: params.branch, ...pageWindow(params) },
      });
      return c.json(pageJson(rows, params, slaVacancyJson));
    },
  );

  app.get(
    '/sla/summary',
    describe({
      operationId: 'getSlaSummary',
      summary: 'Compliance with the 48-hour promise over a period, with breaches and placement figures',
      responses: { 200: { description: 'The figures', body: SummaryJson } },
      problems: [403],
    }),
    query(SummaryParams),
    async (c) => {
      const params = c.req.valid('query');
      const summary = await slaSummary({
        ctx,
        actor: c.get('actor'),
        input: { from: params.from, to: params.to, branch: params.branch, groupBy: params.group_by },
      });
      return c.json(summaryJson(summary));
    },
  );

  app.get(
    '/sla/response-reasons',
    describe({
      operationId: 'listResponseReasons',
      summary: 'The documented answers a caseworker may give instead of proposals',
      responses: { 200: { description: 'Codes with German labels', body: ReasonsJson } },
    }),
    (c) => c.json({ items: ResponseReason.options.map((code) => ({ code, label: RESPONSE_REASON_LABEL[code] })) }),
  );

  return app;
}
