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
import { query, queryInteger } from '../validate.ts';
import { iso, pageJson, pageParams, pageWindow } from '../wire.ts';

const Branch = queryInteger.pipe(z.number().min(1));
/** An ISO date-time with offset, or a day (YYYY-MM-DD, read as UTC midnight). */
const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

const ListParams = z.object({ state: SlaState.optional(), branch: Branch.optional(), ...pageParams(200, 100) });
const SummaryParams = z.object({
  from: Instant.optional(),
  to: Instant.optional(),
  branch: Branch.optional(),
  group_by: z.enum(['branch', 'caseworker', 'week']).optional(),
});

function slaVacancyJson(v: SlaVacancy) {
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

function summaryJson(s: SlaSummary) {
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

  app.get('/sla/vacancies', query(ListParams), async (c) => {
    const params = c.req.valid('query');
    const rows = await listSlaVacancies({
      ctx,
      actor: c.get('actor'),
      input: { state: params.state, branch: params.branch, ...pageWindow(params) },
    });
    return c.json(pageJson(rows, params, slaVacancyJson));
  });

  app.get('/sla/summary', query(SummaryParams), async (c) => {
    const params = c.req.valid('query');
    const summary = await slaSummary({
      ctx,
      actor: c.get('actor'),
      input: { from: params.from, to: params.to, branch: params.branch, groupBy: params.group_by },
    });
    return c.json(summaryJson(summary));
  });

  app.get('/sla/response-reasons', (c) =>
    c.json({ items: ResponseReason.options.map((code) => ({ code, label: RESPONSE_REASON_LABEL[code] })) }),
  );

  return app;
}
