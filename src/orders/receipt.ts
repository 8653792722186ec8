/**
 * The answer to a submission (the order confirmation's facts): stored with an idempotency key as JSON and replayed
 * from it, so every value is JSON-plain (ISO times).
 */
import { z } from 'zod';

export const OrderReceipt = z.object({
  vacancyId: z.string(),
  reference: z.string(),
  branch: z.object({ id: z.number().int(), name: z.string() }),
  caseworker: z.object({ id: z.string(), displayName: z.string() }).nullable(),
  placementOrder: z.boolean(),
  receivedAt: z.iso.datetime(),
  /** The qualified response is due by then; null for orders that only ask to publish. */
  slaDueAt: z.iso.datetime().nullable(),
});
export type OrderReceipt = z.infer<typeof OrderReceipt>;

/** The 201 body, in the wire's snake_case. */
export function orderReceiptJson(r: OrderReceipt) {
  return {
    vacancy_id: r.vacancyId,
    reference: r.reference,
    branch: { id: r.branch.id, name: r.branch.name },
    caseworker: r.caseworker ? { id: r.caseworker.id, display_name: r.caseworker.displayName } : null,
    placement_order: r.placementOrder,
    received_at: r.receivedAt,
    sla_due_at: r.slaDueAt,
  };
}
