/**
 * Match lists for caseworkers, branch leads and admins. Customer data are scoped to the reader's branch (admins see
 * all) and every read is audited with purpose 'matching', also when it fails or is refused. Responses carry what a
 * caseworker needs to decide (scores, German explanations, caps) and never protected attributes.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { MatchResult, Reason } from '../../matchers/engine/types.ts';
import {
  type CustomerMatchList,
  customerMatchList,
  type VacancyMatchList,
  vacancyMatchList,
} from '../../matchers/service/match-lists.ts';
import type { MatchService } from '../../matchers/service/match-service.ts';
import { STORED_LIMIT } from '../../matchers/service/match-store.ts';
import type { Ctx } from '../../src/context.ts';
import { customerScope, getCustomerForActor } from '../../src/customers/access.ts';
import { auditedRead } from '../../src/customers/audited-read.ts';
import { PROFILE_GROUP_LABEL } from '../../src/domain/enums.ts';
import { NotFound } from '../../src/errors.ts';
import { VacancyReferenceJson, vacancyReferenceJson } from '../../src/vacancies/vacancy.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { query, queryInteger } from '../validate.ts';

export interface MatchRoutesDeps {
  ctx: Ctx;
  matchService: MatchService;
}

const PURPOSE = 'matching';

const WhyNotParams = z.object({ include: z.literal('activation').optional() });

const ListParams = z.object({
  limit: queryInteger.pipe(z.number().min(1).max(STORED_LIMIT)).default(20),
  include: z.literal('activation').optional(),
});

const ReasonJson = z.strictObject({ code: z.string(), text: z.string().describe('German, for caseworkers') });
const ExplainedJson = {
  score: z.number().min(0).max(100),
  parts: z.array(z.strictObject({ code: z.string(), weight: z.number(), points: z.number(), text: z.string() })),
  passed_constraints: z.array(ReasonJson),
};
const ListFooterJson = {
  cap_note: z.string().nullable(),
  excluded_count: z.number().int().min(0),
  computed_at: z.iso.datetime(),
  source: z.enum(['stored', 'computed']),
};
const VacancyMatchListJson = z.strictObject({
  subject: VacancyReferenceJson.extend({ type: z.literal('vacancy') }).strict(),
  results: z.array(
    z.strictObject({
      customer_id: z.string(),
      display_name: z.string(),
      profile_group: z.string().describe('The profile group, as a German label'),
      plz: z.string(),
      ...ExplainedJson,
    }),
  ),
  skipped: z.array(z.strictObject({ customer_id: z.string(), score: z.number(), note: z.string() })),
  ...ListFooterJson,
});
const CustomerMatchListJson = z.strictObject({
  subject: z.strictObject({
    type: z.literal('customer'),
    customer_id: z.string(),
    display_name: z.string(),
    profile_group: z.string(),
    plz: z.string(),
  }),
  results: z.array(VacancyReferenceJson.extend(ExplainedJson).strict()),
  skipped: z.array(z.strictObject({ vacancy_id: z.string(), score: z.number(), note: z.string() })),
  not_eligible: z.array(ReasonJson),
  ...ListFooterJson,
});
const WhyNotJson = z.strictObject({
  vacancy_id: z.string(),
  customer_id: z.string(),
  qualifies: z.boolean(),
  failed: z.array(ReasonJson),
});

const reasonsJson = (reasons: Reason[]) => reasons.map(({ code, text }) => ({ code, text }));

function explainedJson(r: MatchResult) {
  return {
    score: r.score,
    parts: r.parts.map(({ code, weight, points, text }) => ({ code, weight, points, text })),
    passed_constraints: reasonsJson(r.passedConstraints),
  };
}

function listFooter(list: VacancyMatchList | CustomerMatchList) {
  return {
    cap_note: list.capNote,
    excluded_count: list.excludedCount,
    computed_at: list.computedAt.toISOString(),
    source: list.source,
  };
}

function vacancyListJson(list: VacancyMatchList): z.infer<typeof VacancyMatchListJson> {
  return {
    subject: { type: 'vacancy' as const, ...vacancyReferenceJson(list.subject) },
    results: list.results.map((r) => ({
      customer_id: r.customer.id,
      display_name: r.customer.displayName,
      profile_group: PROFILE_GROUP_LABEL[r.customer.profileGroup],
      plz: r.customer.plz,
      ...explainedJson(r),
    })),
    skipped: list.skipped.map((s) => ({ customer_id: s.id, score: s.score, note: s.note })),
    ...listFooter(list),
  };
}

function customerListJson(list: CustomerMatchList): z.infer<typeof CustomerMatchListJson> {
  const c = list.subject;
  return {
    subject: {
      type: 'customer' as const,
      customer_id: c.id,
      display_name: c.displayName,
      profile_group: PROFILE_GROUP_LABEL[c.profileGroup],
      plz: c.plz,
    },
    results: list.results.map((r) => ({ ...vacancyReferenceJson(r.vacancy), ...explainedJson(r) })),
    skipped: list.skipped.map((s) => ({ vacancy_id: s.id, score: s.score, note: s.note })),
    not_eligible: reasonsJson(list.ineligible),
    ...listFooter(list),
  };
}

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front). */
export function matchRoutes({ ctx, matchService }: MatchRoutesDeps) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get(
    '/vacancies/:id/matches',
    describe({
      operationId: 'listVacancyMatches',
      summary: 'The best-matching customers for a vacancy, explained',
      description: "Customers of the reader's branch only (admins: all); every read is audited.",
      responses: { 200: { description: 'The match list', body: VacancyMatchListJson } },
      // A vacancy that is not open or not yet coded has no list; 503 while the matcher loads after a start.
      problems: [404, 409, 503],
    }),
    query(ListParams),
    async (c) => {
      const actor = c.get('actor');
      const id = c.req.param('id');
      const params = c.req.valid('query');
      const list = await auditedRead(
        ctx,
        { actor, action: 'read', objectType: 'vacancy_matches', objectId: id, purpose: PURPOSE, detail: { ...params } },
        () =>
          vacancyMatchList(ctx, matchService, id, {
            limit: params.limit,
            includeActivation: params.include === 'activation',
            branchId: customerScope(actor),
          }),
        // The listed ids make the read reconstructable: who saw which customers for this vacancy.
        (l) => ({
          customerIds: l.results.map((r) => r.customer.id),
          // Skipped customers are shown too (id and score), so they belong in the record of what was seen.
          skippedIds: l.skipped.map((s) => s.id),
          source: l.source,
        }),
      );
      return c.json(vacancyListJson(list));
    },
  );

  app.get(
    '/customers/:id/matches',
    describe({
      operationId: 'listCustomerMatches',
      summary: 'The best-matching vacancies for a customer, explained',
      responses: { 200: { description: 'The match list', body: CustomerMatchListJson } },
      problems: [403, 404, 503],
    }),
    query(ListParams),
    async (c) => {
      const actor = c.get('actor');
      const id = c.req.param('id');
      const params = c.req.valid('query');
      const list = await auditedRead(
        ctx,
        {
          actor,
          action: 'read',
          objectType: 'customer_matches',
          objectId: id,
          purpose: PURPOSE,
          detail: { ...params },
        },
        // The role is checked before the lookup, so an employer cannot even learn whether an id exists.
        () => customerMatchList(ctx, matchService, id, { limit: params.limit, branchId: customerScope(actor) }),
        (l) => ({ vacancyIds: l.results.map((r) => r.vacancy.id), source: l.source }),
      );
      return c.json(customerListJson(list));
    },
  );

  app.get(
    '/vacancies/:id/matches/:customerId/why-not',
    describe({
      operationId: 'explainMatchExclusion',
      summary: 'Why a customer is not in the match list of a vacancy',
      responses: { 200: { description: 'The failed rules, empty when the customer qualifies', body: WhyNotJson } },
      problems: [403, 404, 503],
    }),
    query(WhyNotParams),
    async (c) => {
      const actor = c.get('actor');
      const vacancyId = c.req.param('id');
      const customerId = c.req.param('customerId');
      const params = c.req.valid('query');
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
          const result = await matchService.whyNot(ctx, vacancyId, customerId, {
            includeActivation: params.include === 'activation',
            now: ctx.now(),
          });
          if (!result) throw new NotFound('Stelle', vacancyId);
          return result;
        },
      );
      const answer: z.infer<typeof WhyNotJson> = {
        vacancy_id: vacancyId,
        customer_id: customerId,
        qualifies: exclusion.failed.length === 0,
        failed: reasonsJson(exclusion.failed),
      };
      return c.json(answer);
    },
  );

  return app;
}
