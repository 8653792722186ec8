/**
 * Internal control and the audit trail: the monthly sample of cases a branch lead checks (branch leads of the branch
 * and admins), and the trail itself, filtered and page by page (admins). Both reads are audited by their verbs.
 * Mounted with the staff audience's guard (api/v1.ts); the verbs refuse the roles that may not call them.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AuditInstant, type AuditRow, MAX_AUDIT_PAGE, queryAuditLog } from '../src/audit/query.ts';
import {
  type AuditSample,
  CASE_OUTCOME_LABEL,
  type CaseOutcome,
  drawAuditSample,
  SAMPLE_SIZE,
  SampleMonth,
} from '../src/audit/sample.ts';
import type { Ctx } from '../src/context.ts';
import { responseLabel } from '../src/sla/reasons.ts';
import { SLA_STATE_LABEL, SlaState } from '../src/sla/state.ts';
import type { AuthVariables } from './middleware/auth.ts';
import { describe } from './openapi.ts';
import { query, queryInteger, type ValidateVariables } from './validate.ts';
import { iso } from './wire.ts';

const Branch = queryInteger.pipe(z.number().min(1).max(32_767));
const Text = z.string().min(1).max(100);

const SampleParams = z.object({ branch: Branch, month: SampleMonth });
const TrailParams = z.object({
  object_type: Text.optional(),
  object_id: Text.optional(),
  actor: Text.optional(),
  from: AuditInstant.optional(),
  to: AuditInstant.optional(),
  limit: queryInteger.pipe(z.number().min(1).max(MAX_AUDIT_PAGE)).optional(),
  cursor: z.string().min(1).max(100).optional(),
});

const Iso = z.iso.datetime();
const CaseOutcomeJson = z.enum(Object.keys(CASE_OUTCOME_LABEL) as [CaseOutcome, ...CaseOutcome[]]);

/** One sampled case: what a branch lead checks; proposals are counted, never named. */
const SampledCaseJson = z.strictObject({
  vacancy_id: z.string(),
  reference: z.string().nullable(),
  title: z.string(),
  caseworker: z.strictObject({ id: z.string(), display_name: z.string() }).nullable(),
  received_at: Iso,
  due_at: Iso,
  responded_at: Iso.nullable(),
  sla_state: SlaState,
  sla_state_label: z.string(),
  sla_met: z.boolean().nullable().describe('Kept (true), broken (false), or open or lapsed (null)'),
  response_kind: z.string().nullable(),
  response_label: z.string().nullable(),
  proposals: z.strictObject({
    sent: z.number().int().min(0),
    invited: z.number().int().min(0),
    hired: z.number().int().min(0),
  }),
  outcome: CaseOutcomeJson,
  outcome_label: z.string(),
  positions: z.number().int(),
  positions_filled: z.number().int(),
  closed_at: Iso.nullable(),
});
const SampleJson = z.strictObject({
  branch: z.number().int(),
  month: z.string(),
  population: z.number().int().min(0).describe("The branch's placement orders received in the month"),
  sample_size: z.number().int(),
  items: z.array(SampledCaseJson),
});
type SampleJson = z.infer<typeof SampleJson>;

const AuditRowJson = z.strictObject({
  id: z.number().int(),
  at: Iso,
  actor: z.strictObject({
    user_id: z.string().nullable(),
    role: z.string().nullable(),
    operator: z.string().nullable().describe('The login of an operator who acted through the command line'),
  }),
  action: z.string(),
  object_type: z.string(),
  object_id: z.string().nullable(),
  purpose: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
type AuditRowJson = z.infer<typeof AuditRowJson>;
const AuditPageJson = z.strictObject({
  items: z.array(AuditRowJson),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last one'),
});
type AuditPageJson = z.infer<typeof AuditPageJson>;

/** Kept: a due time met; broken: answered late or not at all; null while running or when the promise lapsed. */
function slaMet(state: SlaState): boolean | null {
  if (state === 'met') return true;
  if (state === 'met_late' || state === 'breached') return false;
  return null;
}

function sampleJson(s: AuditSample): SampleJson {
  return {
    branch: s.branch,
    month: s.month,
    population: s.population,
    sample_size: SAMPLE_SIZE,
    items: s.cases.map((k) => ({
      vacancy_id: k.vacancyId,
      reference: k.reference,
      title: k.title,
      caseworker: k.caseworker ? { id: k.caseworker.id, display_name: k.caseworker.displayName } : null,
      received_at: k.receivedAt.toISOString(),
      due_at: k.dueAt.toISOString(),
      responded_at: iso(k.respondedAt),
      sla_state: k.slaState,
      sla_state_label: SLA_STATE_LABEL[k.slaState],
      sla_met: slaMet(k.slaState),
      response_kind: k.responseKind,
      response_label: responseLabel(k.responseKind),
      proposals: k.proposals,
      outcome: k.outcome,
      outcome_label: CASE_OUTCOME_LABEL[k.outcome],
      positions: k.positions,
      positions_filled: k.positionsFilled,
      closed_at: iso(k.closedAt),
    })),
  };
}

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The wire speaks snake_case; the verbs write their details in camelCase. */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeCase(k), snakeKeys(v)]));
  }
  return value;
}

function auditRowJson(r: AuditRow): AuditRowJson {
  const operator = r.actorUserId === null && typeof r.detail.osUser === 'string' ? r.detail.osUser : null;
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: { user_id: r.actorUserId, role: r.actorRole, operator },
    action: r.action,
    object_type: r.objectType,
    object_id: r.objectId,
    purpose: r.purpose,
    detail: snakeKeys(r.detail) as Record<string, unknown>,
  };
}

export function auditRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables & ValidateVariables }>();

  app.get(
    '/audit/sample',
    describe({
      operationId: 'drawAuditSample',
      summary: "The monthly internal-control sample of a branch (the branch's leads and admins)",
      description:
        `${SAMPLE_SIZE} placement orders received in the month (Berlin time), or all when there are fewer; the same ` +
        'cases for the same branch and month. Only for months that have ended.',
      responses: { 200: { description: 'The sampled cases', body: SampleJson } },
      // Not a lead of that branch or an admin; an unknown branch; a month that has not ended.
      problems: [403, 404, 422],
    }),
    query(SampleParams),
    async (c) => {
      const { branch, month } = c.req.valid('query');
      // A well-formed month that cannot be drawn yet (running or future) is refused content, not a malformed request.
      c.set('refusedContentStatus', 422);
      const sample = await drawAuditSample({ ctx, actor: c.get('actor'), input: { branch, month } });
      return c.json(sampleJson(sample));
    },
  );

  app.get(
    '/audit',
    describe({
      operationId: 'queryAuditTrail',
      summary: 'The audit trail, filtered, newest first, page by page (admins)',
      responses: { 200: { description: 'One page of entries', body: AuditPageJson } },
      // Everyone but admins.
      problems: [403],
    }),
    query(TrailParams),
    async (c) => {
      const p = c.req.valid('query');
      const page = await queryAuditLog({
        ctx,
        actor: c.get('actor'),
        input: {
          objectType: p.object_type,
          objectId: p.object_id,
          actor: p.actor,
          from: p.from,
          to: p.to,
          limit: p.limit,
          cursor: p.cursor,
        },
      });
      const answer: AuditPageJson = { items: page.items.map(auditRowJson), next_cursor: page.nextCursor };
      return c.json(answer);
    },
  );

  return app;
}
