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

const day = (date: Date | null) => date?.toISOString().slice(0, 10) ?? null;

function orderSummaryJson(o: OrderSummary) {
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

function orderDetailJson(o: OrderDetail) {
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

  app.post('/employer/vacancies', header(SubmitHeaders), json(OrderInput, ORDER_BODY), async (c) => {
    const receipt = await submitOrder({
      ctx,
      actor: c.get('actor'),
      input: c.req.valid('json'),
      idempotencyKey: c.req.valid('header')['idempotency-key'],
    });
    c.header('Location', `${c.req.path}/${receipt.vacancyId}`);
    // A retry gets the first answer, status included; the header tells a client that nothing new was stored.
    if (receipt.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(orderReceiptJson(receipt), 201);
  });

  app.get('/employer/vacancies', query(ListParams), async (c) => {
    const params = c.req.valid('query');
    const rows = await listOwnOrders({
      ctx,
      actor: c.get('actor'),
      input: { status: params.status, ...pageWindow(params) },
    });
    return c.json(pageJson(rows, params, orderSummaryJson));
  });

  app.get('/employer/vacancies/:id', idParam(VACANCY), async (c) => {
    const order = await getOwnOrder({ ctx, actor: c.get('actor'), input: { vacancyId: c.req.valid('param').id } });
    return c.json(orderDetailJson(order));
  });

  app.patch('/employer/vacancies/:id', idParam(VACANCY), json(OrderUpdate, ORDER_BODY), async (c) => {
    const result = await updateOrder({
      ctx,
      actor: c.get('actor'),
      input: { vacancyId: c.req.valid('param').id, changes: c.req.valid('json') },
    });
    return c.json({
      vacancy_id: result.vacancyId,
      changed: result.changed,
      kldb_code: result.kldbCode,
      kldb_title: result.kldbCode ? (kldbTitle(result.kldbCode) ?? null) : null,
      sla_due_at: iso(result.slaDueAt),
    });
  });

  app.post(
    '/employer/vacancies/:id/withdraw',
    idParam(VACANCY),
    json(WithdrawBody, { ...ORDER_BODY, optional: true }),
    async (c) => {
      const result = await withdrawOrder({
        ctx,
        actor: c.get('actor'),
        input: { vacancyId: c.req.valid('param').id, reason: c.req.valid('json').reason },
      });
      return c.json({ vacancy_id: result.vacancyId, status: result.status });
    },
  );

  app.post(
    '/employer/vacancies/:id/filled',
    idParam(VACANCY),
    json(FilledBody, { ...ORDER_BODY, optional: true }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await markOrderFilled({
        ctx,
        actor: c.get('actor'),
        input: { vacancyId: c.req.valid('param').id, proposalId: body.proposal_id, startDate: body.start_date },
      });
      return c.json({ vacancy_id: result.vacancyId, status: result.status, filled_by: result.by });
    },
  );

  return app;
}
