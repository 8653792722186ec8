/**
 * What the vacancy page reads, through the same verbs and in the same way as the caseworkers' API routes
 * (api/caseworker/matches.ts, coding.ts, proposals.ts): the vacancy for staff (branch checked), the coder's
 * suggestions, the clock's record, the audited match list and why-not check, and the audited proposal list.
 */
import { type VacancyMatchList, vacancyMatchList } from '../../matchers/service/match-lists.ts';
import type { MatchService } from '../../matchers/service/match-service.ts';
import type { Actor } from '../../src/audit/record.ts';
import type { Ctx } from '../../src/context.ts';
import { customerScope, getCustomerForActor } from '../../src/customers/access.ts';
import { auditedRead } from '../../src/customers/audited-read.ts';
import { AppError, Conflict, NotFound } from '../../src/errors.ts';
import { staffVacancy } from '../../src/orders/access.ts';
import { listProposalsForStaff } from '../../src/proposals/views.ts';
import { dueTimes } from '../../src/sla/calendar.ts';
import { milestoneEvents } from '../../src/sla/milestones.ts';
import { rulesOf } from '../../src/sla/rules.ts';
import { type SlaState, stateOf } from '../../src/sla/state.ts';
import { codeOccupation } from '../../src/taxonomy/coder.ts';

/** The same purpose as the API's match reads. */
const PURPOSE = 'matching';
/** As many suggestions as the coding review shows (listCodingReview). */
const SUGGESTIONS = 5;
export const CANDIDATE_LIMIT = 20;

export interface ClockView {
  startedAt: Date;
  dueAt: Date;
  respondedAt: Date | null;
  responseReason: string | null;
  state: SlaState;
}

/**
 * The clock as its events record it. The running states need the reminder and escalation times, which follow from
 * the receipt and the rules (`dueTimes`), the same rule that set them when the clock started.
 */
export async function clockOf(ctx: Ctx, vacancyId: string): Promise<ClockView | null> {
  const events = await milestoneEvents(ctx, vacancyId);
  const started = events.find((e) => e.kind === 'started');
  if (!started?.dueAt) return null;
  const responded = events.find((e) => e.kind === 'responded') ?? null;
  const closed = events.find((e) => e.kind === 'not_applicable') ?? null;
  const due = dueTimes(started.at, rulesOf(ctx));
  const state = stateOf(
    {
      respondedAt: responded?.at ?? null,
      notApplicableAt: closed?.at ?? null,
      reminderDueAt: due.reminderDueAt,
      escalationDueAt: due.escalationDueAt,
      dueAt: started.dueAt,
    },
    ctx.now(),
  );
  return {
    startedAt: started.at,
    dueAt: started.dueAt,
    respondedAt: responded?.at ?? null,
    responseReason: responded?.reason ?? null,
    state,
  };
}

export async function readVacancy(ctx: Ctx, actor: Actor, vacancyId: string) {
  const vacancy = await staffVacancy(ctx, actor, vacancyId);
  const suggestions = codeOccupation({ title: vacancy.title, description: vacancy.description }).candidates.slice(
    0,
    SUGGESTIONS,
  );
  return { vacancy, suggestions };
}

/** `GET /api/v1/vacancies/:id/matches`, as the route reads and audits it; null when the vacancy has no list. */
export async function readMatches(
  ctx: Ctx,
  matchService: MatchService,
  actor: Actor,
  vacancyId: string,
  includeActivation: boolean,
): Promise<VacancyMatchList | null> {
  const params = { limit: CANDIDATE_LIMIT, ...(includeActivation ? { include: 'activation' } : {}) };
  try {
    return await auditedRead(
      ctx,
      {
        actor,
        action: 'read',
        objectType: 'vacancy_matches',
        objectId: vacancyId,
        purpose: PURPOSE,
        detail: params,
      },
      () =>
        vacancyMatchList(ctx, matchService, vacancyId, {
          limit: CANDIDATE_LIMIT,
          includeActivation,
          branchId: customerScope(actor),
        }),
      (l) => ({
        customerIds: l.results.map((r) => r.customer.id),
        skippedIds: l.skipped.map((s) => s.id),
        source: l.source,
      }),
    );
  } catch (err) {
    // Closed or not coded yet: the page says so instead of failing.
    if (err instanceof Conflict) return null;
    throw err;
  }
}

export type WhyNot =
  | { kind: 'result'; customerId: string; qualifies: boolean; failed: Array<{ code: string; text: string }> }
  | { kind: 'refused' };

/** `GET …/matches/:customerId/why-not`, as the route reads and audits it; another branch's person tells nothing. */
export async function readWhyNot(
  ctx: Ctx,
  matchService: MatchService,
  actor: Actor,
  vacancyId: string,
  customerId: string,
  includeActivation: boolean,
): Promise<WhyNot> {
  try {
    const exclusion = await auditedRead(
      ctx,
      {
        actor,
        action: 'read',
        objectType: 'match_why_not',
        objectId: customerId,
        purpose: PURPOSE,
        detail: { vacancyId },
      },
      async () => {
        await getCustomerForActor(ctx, actor, customerId, PURPOSE);
        const result = await matchService.whyNot(ctx, vacancyId, customerId, { includeActivation, now: ctx.now() });
        if (!result) throw new NotFound('Stelle', vacancyId);
        return result;
      },
    );
    return {
      kind: 'result',
      customerId,
      qualifies: exclusion.failed.length === 0,
      failed: exclusion.failed.map(({ code, text }) => ({ code, text })),
    };
  } catch (err) {
    if (err instanceof AppError && (err.code === 'forbidden' || err.code === 'not_found')) return { kind: 'refused' };
    throw err;
  }
}

export function readProposals(ctx: Ctx, actor: Actor, vacancyId: string) {
  return listProposalsForStaff({ ctx, actor, input: { vacancyId } });
}
