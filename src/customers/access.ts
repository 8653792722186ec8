/**
 * Who may see which customer: caseworkers and branch leads the customers of their own branch, admins all, employers
 * and everyone else none (least privilege by role and branch). Every read goes through `getCustomerForActor`, which
 * logs it, or is checked by `assertCustomerVisible` inside a read its caller logs (the match lists).
 */
import { eq } from 'drizzle-orm';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { customers } from '../db/schema.ts';
import type { Customer } from '../domain/customer.ts';
import { isRowId } from '../domain/ids.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { auditedRead } from './audited-read.ts';

/** Why customer data are read; recorded with every read (purpose limitation). */
export type CustomerPurpose = 'matching' | 'case_management';

/** A customer record as the case work sees it; protected attributes are not read at all (they serve statistics). */
export type CustomerRecord = Omit<Customer, 'protected'> & {
  updatedAt: Date;
  /** Set while processing is restricted (Art. 18 GDPR): the record is kept but matched and proposed nowhere. */
  restrictedAt: Date | null;
};

/** The branch an actor's customer reads are limited to: null means all branches (admin). */
export function customerScope(actor: Actor): number | null {
  if (actor.role === 'admin') return null;
  if ((actor.role === 'caseworker' || actor.role === 'branch_lead') && actor.branchId !== null) return actor.branchId;
  throw new Forbidden('Keine Berechtigung für Kundendaten');
}

export function mayAccessCustomer(actor: Actor, branchId: number): boolean {
  try {
    const scope = customerScope(actor);
    return scope === null || scope === branchId;
  } catch {
    return false;
  }
}

/**
 * The columns the matcher may read: everything about occupation, place, time and availability, and deliberately
 * none of the protected attributes (AGG), which are never selected for matching.
 */
export const MATCH_PROFILE_COLUMNS = {
  id: customers.id,
  branchId: customers.branchId,
  profileGroup: customers.profileGroup,
  targetKldbCodes: customers.targetKldbCodes,
  qualifications: customers.qualifications,
  skills: customers.skills,
  licences: customers.licences,
  languages: customers.languages,
  plz: customers.plz,
  lat: customers.lat,
  lon: customers.lon,
  maxCommuteKm: customers.maxCommuteKm,
  workingTimes: customers.workingTimes,
  availableFrom: customers.availableFrom,
  consent: customers.consent,
  blockedUntil: customers.blockedUntil,
};

export const RECORD_COLUMNS = {
  ...MATCH_PROFILE_COLUMNS,
  displayName: customers.displayName,
  updatedAt: customers.updatedAt,
  restrictedAt: customers.restrictedAt,
};

/** Reads one record without audit or access check; callers in this folder do both. */
export async function readCustomerRecord(ctx: Ctx, id: string): Promise<CustomerRecord | undefined> {
  if (!isRowId(id)) return undefined;
  const [row] = await ctx.db.select(RECORD_COLUMNS).from(customers).where(eq(customers.id, id));
  return row as CustomerRecord | undefined;
}

/**
 * 404 for an unknown customer, 403 for one outside `scope` (the actor's `customerScope`, null for all branches); the
 * check of every read of a record, also of one read together with other rows.
 */
export function assertCustomerVisible<T extends { branchId: number }>(
  record: T | undefined,
  id: string,
  scope: number | null,
): asserts record is T {
  if (!record) throw new NotFound('Kunde', id);
  if (scope !== null && record.branchId !== scope) {
    throw new Forbidden('Kundinnen und Kunden anderer Zweigstellen sind nicht sichtbar');
  }
}

/** One customer for an actor and a purpose: 404 if unknown, 403 outside the actor's branch; always audited. */
export async function getCustomerForActor(
  ctx: Ctx,
  actor: Actor,
  id: string,
  purpose: CustomerPurpose,
): Promise<CustomerRecord> {
  return auditedRead(ctx, { actor, action: 'read', objectType: 'customer', objectId: id, purpose }, async () => {
    // The role is checked before the lookup, so an employer cannot even learn whether an id exists.
    const scope = customerScope(actor);
    const record = await readCustomerRecord(ctx, id);
    assertCustomerVisible(record, id, scope);
    return record;
  });
}
