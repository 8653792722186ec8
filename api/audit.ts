/**
 * Internal control and the audit trail: the monthly sample of cases a branch lead checks (branch leads of the branch
 * and admins), and the trail itself, filtered and page by page (admins). Both reads are audited by their verbs.
 * Mounted with the staff audience's guard (api/v1.ts); the verbs refuse the roles that may not call them.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { type AuditRow, queryAuditLog } from '../src/audit/query.ts';
import {
  type AuditSample,
  CASE_OUTCOME_LABEL,
  drawAuditSample,
  SAMPLE_SIZE,
  SampleMonth,
} from '../src/audit/sample.ts';
import type { Ctx } from '../src/context.ts';
import { responseLabel } from '../src/sla/reasons.ts';
import { SLA_STATE_LABEL, type SlaState } from '../src/sla/state.ts';
import type { AuthVariables } from './middleware/auth.ts';
import { query, queryInteger, type ValidateVariables } from './validate.ts';
import { iso } from './wire.ts';

const Branch = queryInteger.pipe(z.number().min(1).max(32_767));
/** An ISO date-time with offset, or a day (YYYY-MM-DD, read as UTC midnight). */
const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'Erwartet: Zeitpunkt nach ISO 8601 mit Zeitzone (z. B. 2026-10-01T08:00:00+02:00) oder Datum',
});
const Text = z.string().min(1).max(100);

const SampleParams = z.object({ branch: Branch, month: SampleMonth });
const TrailParams = z.object({
  object_type: Text.optional(),
  object_id: Text.optional(),
  actor: Text.optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  limit: queryInteger.pipe(z.number().min(1).max(500)).optional(),
  cursor: z.string().min(1).max(100).optional(),
});

/** Kept: a due time met; broken: answered late or not at all; null while running or when the promise lapsed. */
function slaMet(state: SlaState): boolean | null {
  if (state === 'met') return true;
  if (state === 'met_late' || state === 'breached') return false;
  return null;
}

function sampleJson(s: AuditSample) {
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

function auditRowJson(r: AuditRow) {
  const operator = r.actorUserId === null && typeof r.detail.osUser === 'string' ? r.detail.osUser : null;
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: { user_id: r.actorUserId, role: r.actorRole, operator },
    action: r.action,
    object_type: r.objectType,
    object_id: r.objectId,
    purpose: r.purpose,
    detail: snakeKeys(r.detail),
  };
}

export function auditRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables & ValidateVariables }>();

  app.get('/audit/sample', query(SampleParams), async (c) => {
    const { branch, month } = c.req.valid('query');
    // A well-formed month that cannot be drawn yet (running or future) is refused content, not a malformed request.
    c.set('refusedContentStatus', 422);
    const sample = await drawAuditSample({ ctx, actor: c.get('actor'), input: { branch, month } });
    return c.json(sampleJson(sample));
  });

  app.get('/audit', query(TrailParams), async (c) => {
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
    return c.json({ items: page.items.map(auditRowJson), next_cursor: page.nextCursor });
  });

  return app;
}
