/**
 * Employers' orders: submit (an order with the 48-hour promise when it asks for placement), list, read, change,
 * withdraw and mark filled, their own vacancies only. Any other employer's vacancy, like an unknown one, is 404.
 * Refused body content answers 422 (api/validate.ts), as the employer API's issue specifies.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { VacancyStatus } from '../../src/domain/enums.ts';
import { IdempotencyKey } from '../../src/orders/idempotency.ts';
import { MarkFilledInput, markOrderFilled } from '../../src/orders/mark-filled.ts';
import { OrderInput, OrderUpdate } from '../../src/orders/order-input.ts';
import { getOwnOrder, listOwnOrders, type OrderDetail, type OrderSummary } from '../../src/orders/read.ts';
import { orderReceiptJson } from '../../src/orders/receipt.ts';
import { submitOrder } from '../../src/orders/submit.ts';
import { updateOrder } from '../../src/orders/update.ts';
import { WithdrawOrderInput, withdrawOrder } from '../../src/orders/withdraw.ts';
import { kldbTitle } from '../../src/taxonomy/kldb.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { header, idParam, json, query } from '../validate.ts';
import { iso, pageJson, pageParams, pageWindow } from '../wire.ts';

const VACANCY = 'Stelle';
/** Refused content of an order body answers 422. */
const ORDER_BODY = { refused: 422 } as const;

const SubmitHeaders = z.object({ 'idempotency-key': IdempotencyKey.optional() });
const ListParams = z.object({ status: VacancyStatus.optional(), ...pageParams(100, 50) });
const WithdrawBody = z.object({ reason: WithdrawOrderInput.shape.reason }).strict();
const FilledBody = z
  .object({ proposal_id: MarkFilledInput.shape.proposalId, start_date: MarkFilledInput.shape.startDate })
  .strict();

const Iso = z.iso.datetime();
const ReceiptJson = z.strictObject({
  vacancy_id: z.string(),
  reference: z.string(),
  branch: z.strictObject({ id: z.number().int(), name: z.string() }),
  caseworker: z.strictObject({ id: z.string(), display_name: z.string() }).nullable(),
  placement_order: z.boolean(),
  received_at: Iso,
  sla_due_at: Iso.nullable().describe('The qualified response is due by then; null for publish-only orders'),
});
const OrderSummaryJson = z.strictObject({
  vacancy_id: z.string(),
  reference: z.string().nullable(),
  title: z.string(),
  status: VacancyStatus,
  close_reason: z.string().nullable(),
  placement_order: z.boolean(),
  positions: z.number().int(),
  positions_filled: z.number().int(),
  created_at: Iso,
  sla_due_at: Iso.nullable(),
  responded_at: Iso.nullable(),
  proposals: z.number().int(),
});
const OrderDetailJson = OrderSummaryJson.extend({
  description: z.string(),
  plz: z.string().nullable(),
  place: z.string().nullable(),
  working_times: z.array(z.string()),
  contract_type: z.string().nullable(),
  offer_type: z.string(),
  start_date: z.iso.date().nullable(),
  requirement_level: z.number().int().nullable(),
  kldb_code: z.string().nullable(),
  kldb_title: z.string().nullable(),
  skills: z.array(z.string()),
  licences: z.array(z.string()),
  languages: z.array(z.object({ language: z.string(), level: z.string() })),
  salary: z.unknown(),
  contact_person: z.unknown(),
  application_route: z.unknown(),
  stated: z.record(z.string(), z.unknown()).nullable().describe("What the employer stated, in the order's wire names"),
});
const OrderPageJson = z.strictObject({
  items: z.array(OrderSummaryJson),
  page: z.number().int(),
  per_page: z.number().int(),
  next_page: z.number().int().nullable(),
});
const UpdatedJson = z.strictObject({
  vacancy_id: z.string(),
  changed: z.array(z.string()),
  kldb_code: z.string().nullable(),
  kldb_title: z.string().nullable(),
  sla_due_at: Iso.nullable(),
});
const WithdrawnJson = z.strictObject({ vacancy_id: z.string(), status: z.literal('closed') });
const FilledJson = z.strictObject({
  vacancy_id: z.string(),
  status: z.literal('filled'),
  filled_by: z.enum(['proposal', 'otherwise']),
});

const day = (date: Date | null) => date?.toISOString().slice(0, 10) ?? null;

function orderSummaryJson(o: OrderSummary): z.infer<typeof OrderSummaryJson> {
  return {
    vacancy_id: o.vacancyId,
    reference: o.reference,
    title: o.title,
    status: o.status,
    close_reason: o.closeReason,
    placement_order: o.placementOrder,
    positions: o.positions,
    positions_filled: o.positionsFilled,
    created_at: o.createdAt.toISOString(),
    sla_due_at: iso(o.slaDueAt),
    responded_at: iso(o.respondedAt),
    proposals: o.proposals,
  };
}

function orderDetailJson(o: OrderDetail): z.infer<typeof OrderDetailJson> {
  return {
    ...orderSummaryJson(o),
    description: o.description,
    plz: o.plz,
    place: o.place,
    working_times: o.workingTimes,
    contract_type: o.contractType,
    offer_type: o.offerType,
    start_date: day(o.startDate),
    requirement_level: o.requirementLevel,
    kldb_code: o.kldbCode,
    kldb_title: o.kldbTitle,
    skills: o.skills,
    licences: o.licences,
    languages: o.languages,
    salary: o.salary,
    contact_person: o.contactPerson,
    application_route: o.applicationRoute,
    // What the employer stated, in the order's own (wire) names; the fields above are derived from it.
    stated: o.stated,
  };
}

/** The employers' audience (api/v1.ts puts authentication for role employer in front). */
export function employerOrderRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post(
    '/employer/vacancies',
    describe({
      operationId: 'submitOrder',
      summary: 'Submit an order (a placement order starts the 48-hour promise)',
      description: 'With Idempotency-Key a retry gets the first answer (header Idempotent-Replayed: true).',
      responses: {
        201: {
          description: 'The order confirmation',
          body: ReceiptJson,
          headers: {
            Location: { description: 'The new order', schema: { type: 'string' } },
            'Idempotent-Replayed': { description: "'true' when nothing new was stored", schema: { type: 'string' } },
          },
        },
      },
      // The same idempotency key with another body.
      problems: [409],
    }),
    header(SubmitHeaders),
    json(OrderInput, ORDER_BODY),
    async (c) => {
      const receipt = await submitOrder({
        ctx,
        actor: c.get('actor'),
        input: c.req.valid('json'),
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      c.header('Location', `${c.req.path}/${receipt.vacancyId}`);
      // A retry gets the first answer, status included; the header tells a client that nothing new was stored.
      if (receipt.replayed) c.header('Idempotent-Replayed', 'true');
      const answer: z.infer<typeof ReceiptJson> = orderReceiptJson(receipt);
      return c.json(answer, 201);
    },
  );

  app.get(
    '/employer/vacancies',
    describe({
      operationId: 'listOwnOrders',
      summary: "The employer's own orders, newest first",
      responses: { 200: { description: 'One page of orders', body: OrderPageJson } },
    }),
    query(ListParams),
    async (c) => {
      const params = c.req.valid('query');
      const rows = await listOwnOrders({
        ctx,
        actor: c.get('actor'),
        input: { status: params.status, ...pageWindow(params) },
      });
      return c.json(pageJson(rows, params, orderSummaryJson));
    },
  );

  app.get(
    '/employer/vacancies/:id',
    describe({
      operationId: 'getOwnOrder',
      summary: "One of the employer's own orders (any other is 404)",
      responses: { 200: { description: 'The order', body: OrderDetailJson } },
    }),
    idParam(VACANCY),
    async (c) => {
      const order = await getOwnOrder({ ctx, actor: c.get('actor'), input: { vacancyId: c.req.valid('param').id } });
      return c.json(orderDetailJson(order));
    },
  );

  app.patch(
    '/employer/vacancies/:id',
    describe({
      operationId: 'updateOwnOrder',
      summary: 'Change an open order',
      responses: { 200: { description: 'What changed', body: UpdatedJson } },
      problems: [409],
    }),
    idParam(VACANCY),
    json(OrderUpdate, ORDER_BODY),
    async (c) => {
      const result = await updateOrder({
        ctx,
        actor: c.get('actor'),
        input: { vacancyId: c.req.valid('param').id, changes: c.req.valid('json') },
      });
      const answer: z.infer<typeof UpdatedJson> = {
        vacancy_id: result.vacancyId,
        changed: result.changed,
        kldb_code: result.kldbCode,
        kldb_title: result.kldbCode ? (kldbTitle(result.kldbCode) ?? null) : null,
        sla_due_at: iso(result.slaDueAt),
      };
      return c.json(answer);
    },
  );

  app.post(
    '/employer/vacancies/:id/withdraw',
    describe({
      operationId: 'withdrawOwnOrder',
      summary: 'Withdraw an open order, optionally with a reason',
      responses: { 200: { description: 'Closed', body: WithdrawnJson } },
      problems: [409],
    }),
    idParam(VACANCY),
    json(WithdrawBody, { ...ORDER_BODY, optional: true }),
    async (c) => {
      const result = await withdrawOrder({
        ctx,
        actor: c.get('actor'),
        input: { vacancyId: c.req.valid('param').id, reason: c.req.valid('json').reason },
      });
      const answer: z.infer<typeof WithdrawnJson> = { vacancy_id: result.vacancyId, status: result.status };
      return c.json(answer);
    },
  );

  app.post(
    '/employer/vacancies/:id/filled',
    describe({
      operationId: 'markOwnOrderFilled',
      summary: 'Mark an order filled, by a proposed candidate or otherwise',
      responses: { 200: { description: 'Filled', body: FilledJson } },
      problems: [409],
    }),
    idParam(VACANCY),
    json(FilledBody, { ...ORDER_BODY, optional: true }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await markOrderFilled({
        ctx,
        actor: c.get('actor'),
        input: { vacancyId: c.req.valid('param').id, proposalId: body.proposal_id, startDate: body.start_date },
      });
      const answer: z.infer<typeof FilledJson> = {
        vacancy_id: result.vacancyId,
        status: result.status,
        filled_by: result.by,
      };
      return c.json(answer);
    },
  );

  return app;
}
