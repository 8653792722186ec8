/**
 * A caseworker changes the matching-relevant part of a customer profile. The change, an outbox row (topic 'match',
 * so the customer's list is ranked again through the queue) and the audit entry are written in one transaction:
 * either all of them or nothing.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { customers } from '../db/schema.ts';
import { MatchProfile } from '../domain/customer.ts';
import { RowId } from '../domain/ids.ts';
import { Conflict, issuesOf, ValidationFailed } from '../errors.ts';
import { lookupPlz } from '../geo/plz.ts';
import { appendOutbox } from '../outbox/append.ts';
import { type CustomerRecord, getCustomerForActor, RECORD_COLUMNS } from './access.ts';

const isoDate = z.union([z.date(), z.iso.date().transform((s) => new Date(`${s}T00:00:00Z`))]);
const isoDateTime = z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))]);

/** Partial update; the field rules are MatchProfile's, so nothing stored here can break the matcher. */
export const UpdateCustomerProfileInput = z
  .object({
    id: RowId,
    targetKldbCodes: MatchProfile.shape.targetKldbCodes,
    skills: MatchProfile.shape.skills.unwrap(),
    licences: MatchProfile.shape.licences.unwrap(),
    languages: MatchProfile.shape.languages.unwrap(),
    plz: MatchProfile.shape.plz,
    maxCommuteKm: MatchProfile.shape.maxCommuteKm,
    workingTimes: MatchProfile.shape.workingTimes,
    availableFrom: isoDate,
    blockedUntil: isoDateTime.nullable(),
    consent: z.boolean(),
  })
  .partial({
    targetKldbCodes: true,
    skills: true,
    licences: true,
    languages: true,
    plz: true,
    maxCommuteKm: true,
    workingTimes: true,
    availableFrom: true,
    blockedUntil: true,
    consent: true,
  })
  .strict()
  // Keys present with undefined values change nothing either.
  .refine((v) => Object.entries(v).some(([k, x]) => k !== 'id' && x !== undefined), {
    message: 'mindestens ein Feld muss geändert werden',
  });
export type UpdateCustomerProfileInput = z.input<typeof UpdateCustomerProfileInput>;

export async function updateCustomerProfile({
  ctx,
  input,
  actor,
}: {
  ctx: Ctx;
  input: UpdateCustomerProfileInput;
  actor: Actor;
}): Promise<CustomerRecord> {
  const parsed = UpdateCustomerProfileInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationFailed('Ungültige Angaben für das Profil', issuesOf(parsed.error));
  }
  const { id, plz, ...fields } = parsed.data;
  // Checked (and audited) outside the transaction, so a refused attempt stays in the audit log.
  const current = await getCustomerForActor(ctx, actor, id, 'case_management');
  let place: { lat: number; lon: number } | undefined;
  if (plz !== undefined) {
    place = lookupPlz(plz);
    if (!place) {
      throw new ValidationFailed(`Postleitzahl ${plz} ist unbekannt`, [
        { path: 'plz', message: 'unbekannte Postleitzahl' },
      ]);
    }
  }
  return withTransaction(ctx, async (tx) => {
    const [updated] = await tx.db
      .update(customers)
      .set({ ...fields, ...(place ? { plz, lat: place.lat, lon: place.lon } : {}), updatedAt: tx.now() })
      // A move to another branch between the check and this write is not overridden by a stale permission.
      .where(and(eq(customers.id, id), eq(customers.branchId, current.branchId)))
      .returning(RECORD_COLUMNS);
    if (!updated) throw new Conflict('Das Profil wurde inzwischen geändert; bitte erneut laden');
    // Field names only: the values are social data and stay in the record.
    await recordAudit(tx, {
      actor,
      action: 'update',
      objectType: 'customer',
      objectId: id,
      purpose: 'case_management',
      detail: {
        fields: Object.entries(parsed.data)
          .filter(([k, x]) => k !== 'id' && x !== undefined)
          .map(([k]) => k),
      },
    });
    await appendOutbox(tx, [{ topic: 'match', aggregateType: 'customer', aggregateId: id }]);
    return updated as CustomerRecord;
  });
}
