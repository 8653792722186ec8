/**
 * Retention and restriction of a customer's data (issue 10, point 3; GDPR Art. 17 and 18, § 84 SGB X).
 *
 * Deleting (the purpose has ended) removes the person, not the job centre's record of its own work: the customer row,
 * their stored match list, their place in every vacancy's stored list and their outbox rows go; their proposals stay
 * for the employer's order, the SLA clock and the placement figures, with `customer_id` null and without the free
 * texts that could name the person (the note to the employer, the outcome note and reason, the notes of tasks about
 * those proposals). The audit trail stays as it is (§ 67c SGB X asks for it), and the deletion adds one entry that
 * holds no personal data: the id, the reason code and the actor.
 *
 * Other processes learn of the deletion through the outbox without the id: one `match` row carrying
 * `CUSTOMERS_DELETED_SIGNAL` makes every matcher drop from memory whoever is no longer in the table
 * (matchers/service/match-service.ts). It is written already processed, so no queue job names it.
 *
 * Restricting keeps every datum but takes the customer out of all matching: the matcher does not load restricted
 * customers, their entries leave every stored vacancy list at once, and proposals are refused (src/proposals/send.ts).
 * Lifting the restriction re-matches them.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, type AuditEntry, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { customers, matches, outbox, proposals, tasks } from '../db/schema.ts';
import { isRowId } from '../domain/ids.ts';
import { Conflict, Forbidden, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { appendOutbox } from '../outbox/append.ts';
import { customerScope, mayAccessCustomer } from './access.ts';
import { recordFailedAttempt } from './audited-read.ts';

/**
 * The aggregate id of the outbox row a deletion writes instead of the customer's own id. No customer has it: ids are
 * random (version 4), and this is the nil UUID.
 */
export const CUSTOMERS_DELETED_SIGNAL = '00000000-0000-0000-0000-000000000000';

/** Why a customer's data are deleted; a code, so the audit entry carries no free text about the person. */
export const DeletionReason = z.enum(['purpose_ended', 'retention_expired', 'erasure_request', 'unlawful_processing']);
export type DeletionReason = z.infer<typeof DeletionReason>;

export const DELETION_REASON_LABEL: Record<DeletionReason, string> = {
  purpose_ended: 'Zweck erfüllt (Betreuung beendet)',
  retention_expired: 'Aufbewahrungsfrist abgelaufen',
  erasure_request: 'Löschantrag der betroffenen Person (Art. 17 DSGVO)',
  unlawful_processing: 'Unrechtmäßig verarbeitet',
};

/** The grounds of Art. 18 (1) GDPR, lit. a–d. */
export const RestrictionReason = z.enum(['accuracy_contested', 'unlawful_processing', 'legal_claims', 'objection']);
export type RestrictionReason = z.infer<typeof RestrictionReason>;

export const RESTRICTION_REASON_LABEL: Record<RestrictionReason, string> = {
  accuracy_contested: 'Richtigkeit der Daten bestritten (Art. 18 Abs. 1 lit. a DSGVO)',
  unlawful_processing: 'Unrechtmäßige Verarbeitung, Einschränkung statt Löschung verlangt (lit. b)',
  legal_claims: 'Für Rechtsansprüche der Person benötigt (lit. c)',
  objection: 'Widerspruch eingelegt, Prüfung läuft (lit. d)',
};

/** The German label of a stored restriction reason; a value from before the codes is shown as it is. */
export function restrictionLabel(reason: string | null): string | null {
  if (reason === null) return null;
  return RESTRICTION_REASON_LABEL[reason as RestrictionReason] ?? reason;
}

const PURPOSE = 'data_protection';

/**
 * The reason code, or the error to throw once the caller's access is settled: who may not touch the customer is
 * refused as such (403/404) whatever they sent, as on the profile routes. A reason that is no code is never
 * recorded, since free text could name the person.
 */
function reasonOf<S extends z.ZodType<string>>(
  schema: S,
  input: { reason?: unknown },
  codes: readonly string[],
): { reason: z.output<S>; error?: undefined } | { reason?: undefined; error: ValidationFailed } {
  if (input.reason === undefined || input.reason === null || input.reason === '') {
    return {
      error: new ValidationFailed('Grund fehlt', [
        { path: 'reason', message: `Pflichtangabe, eine von: ${codes.join(', ')}` },
      ]),
    };
  }
  const parsed = schema.safeParse(input.reason);
  if (!parsed.success) {
    return {
      error: new ValidationFailed('Ungültiger Grund', [
        ...issuesOf(parsed.error).map((i) => ({ ...i, path: 'reason' })),
      ]),
    };
  }
  return { reason: parsed.data };
}

interface Located {
  id: string;
  branchId: number;
  restrictedAt: Date | null;
  restrictedReason: string | null;
}

/**
 * The customer row, locked, for an actor who may change it: as the profile routes answer, 403 for a role without
 * customer data or another branch, 404 for an unknown or malformed id (the role is checked first, so an employer
 * cannot even learn whether an id exists).
 */
async function lockForChange(tx: Ctx, actor: Actor, id: string): Promise<Located> {
  customerScope(actor);
  if (!isRowId(id)) throw new NotFound('Kunde', id);
  const [row] = await tx.db
    .select({
      id: customers.id,
      branchId: customers.branchId,
      restrictedAt: customers.restrictedAt,
      restrictedReason: customers.restrictedReason,
    })
    .from(customers)
    .where(eq(customers.id, id))
    .for('update');
  if (!row) throw new NotFound('Kunde', id);
  if (!mayAccessCustomer(actor, row.branchId)) {
    throw new Forbidden('Kundinnen und Kunden anderer Zweigstellen sind nicht sichtbar');
  }
  return row;
}

/**
 * Runs a change and its success entry in one transaction; a refused or failed attempt is recorded afterwards, so
 * the trail shows who tried (as reads are, see audited-read.ts).
 */
async function auditedChange<T>(ctx: Ctx, entry: AuditEntry, change: (tx: Ctx) => Promise<T>): Promise<T> {
  try {
    return await withTransaction(ctx, change);
  } catch (err) {
    await recordFailedAttempt(ctx, entry, err);
    throw err;
  }
}

/**
 * Drops the customer from every stored vacancy list. The lists are also marked stale: one entry fewer could make a
 * full list look exhaustive, so the next read ranks the vacancy again instead of trusting the shortened list.
 */
async function leaveVacancyLists(tx: Ctx, customerId: string): Promise<number> {
  const entry = JSON.stringify([{ customerId }]);
  const changed = await tx.db
    .update(matches)
    .set({
      results: sql`coalesce((select jsonb_agg(e order by n) from jsonb_array_elements(${matches.results}) with ordinality as t(e, n) where e->>'customerId' <> ${customerId}), '[]'::jsonb)`,
      computedAt: new Date(0),
    })
    .where(and(eq(matches.subjectType, 'vacancy'), sql`${matches.results} @> ${entry}::jsonb`))
    .returning({ id: matches.subjectId });
  return changed.length;
}

export interface DeletionResult {
  id: string;
  reason: DeletionReason;
  deletedAt: Date;
  /** Proposals kept for the employer's order and the figures, now without anyone behind them. */
  proposalsKept: number;
  /** Stored vacancy lists the customer was taken out of. */
  vacancyListsChanged: number;
}

export async function deleteCustomer({
  ctx,
  actor,
  id,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  id: string;
  input: { reason?: unknown };
}): Promise<DeletionResult> {
  const { reason, error } = reasonOf(DeletionReason, input, DeletionReason.options);
  const entry: AuditEntry = {
    actor,
    action: 'customer.delete',
    objectType: 'customer',
    objectId: id,
    purpose: PURPOSE,
  };
  return auditedChange(ctx, { ...entry, detail: reason ? { reason } : {} }, async (tx) => {
    await lockForChange(tx, actor, id);
    if (error) throw error;
    const now = tx.now();
    const kept = await tx.db
      .update(proposals)
      .set({ customerId: null, note: null, outcomeNote: null, outcomeReason: null })
      .where(eq(proposals.customerId, id))
      .returning({ id: proposals.id });
    const proposalIds = kept.map((p) => p.id);
    if (proposalIds.length > 0) {
      // A task's note is a caseworker's free text about the follow-up or reminder: it may well name the person.
      await tx.db.update(tasks).set({ note: null }).where(inArray(tasks.proposalId, proposalIds));
    }
    await tx.db.delete(matches).where(and(eq(matches.subjectType, 'customer'), eq(matches.subjectId, id)));
    const vacancyListsChanged = await leaveVacancyLists(tx, id);
    await tx.db.delete(outbox).where(and(eq(outbox.aggregateType, 'customer'), eq(outbox.aggregateId, id)));
    await tx.db.delete(customers).where(eq(customers.id, id));
    await recordAudit(tx, {
      ...entry,
      detail: { reason, outcome: 'ok', proposalsKept: proposalIds.length },
    });
    await appendOutbox(tx, [
      {
        topic: 'match',
        aggregateType: 'customer',
        aggregateId: CUSTOMERS_DELETED_SIGNAL,
        // Nothing to re-rank: the relay must not turn it into a job; the matchers follow it by cursor.
        processedAt: now,
      },
    ]);
    return { id, reason, deletedAt: now, proposalsKept: proposalIds.length, vacancyListsChanged };
  });
}

export interface RestrictionState {
  id: string;
  restricted: boolean;
  restrictedAt: Date | null;
  reason: string | null;
}

const stateOf = (id: string, at: Date | null, reason: string | null): RestrictionState => ({
  id,
  restricted: at !== null,
  restrictedAt: at,
  reason,
});

/** Restricts processing (Art. 18 GDPR): the data stay, the customer leaves every list and cannot be proposed. */
export async function restrictCustomer({
  ctx,
  actor,
  id,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  id: string;
  input: { reason?: unknown };
}): Promise<RestrictionState> {
  const { reason, error } = reasonOf(RestrictionReason, input, RestrictionReason.options);
  const entry: AuditEntry = {
    actor,
    action: 'customer.restrict',
    objectType: 'customer',
    objectId: id,
    purpose: PURPOSE,
  };
  return auditedChange(ctx, { ...entry, detail: reason ? { reason } : {} }, async (tx) => {
    const row = await lockForChange(tx, actor, id);
    if (error) throw error;
    if (row.restrictedAt !== null) {
      throw new Conflict('Die Verarbeitung ist für diese Person bereits eingeschränkt', {
        restrictedAt: row.restrictedAt.toISOString(),
      });
    }
    const now = tx.now();
    await tx.db
      .update(customers)
      .set({ restrictedAt: now, restrictedReason: reason, updatedAt: now })
      .where(eq(customers.id, id));
    await tx.db.delete(matches).where(and(eq(matches.subjectType, 'customer'), eq(matches.subjectId, id)));
    const vacancyListsChanged = await leaveVacancyLists(tx, id);
    await recordAudit(tx, { ...entry, detail: { reason, outcome: 'ok', vacancyListsChanged } });
    // The matchers re-read the record, find it restricted and drop it; the `match` job clears the person's own list.
    await appendOutbox(tx, [{ topic: 'match', aggregateType: 'customer', aggregateId: id }]);
    return stateOf(id, now, reason);
  });
}

/** Lifts a restriction: the customer is matched again, and every stored vacancy list is ranked anew on its next read. */
export async function liftRestriction({
  ctx,
  actor,
  id,
}: {
  ctx: Ctx;
  actor: Actor;
  id: string;
}): Promise<RestrictionState> {
  const entry: AuditEntry = {
    actor,
    action: 'customer.unrestrict',
    objectType: 'customer',
    objectId: id,
    purpose: PURPOSE,
  };
  return auditedChange(ctx, entry, async (tx) => {
    const row = await lockForChange(tx, actor, id);
    if (row.restrictedAt === null) throw new Conflict('Die Verarbeitung ist für diese Person nicht eingeschränkt');
    const now = tx.now();
    await tx.db
      .update(customers)
      .set({ restrictedAt: null, restrictedReason: null, updatedAt: now })
      .where(eq(customers.id, id));
    // Which vacancies the person now belongs to is the matcher's answer, not known here: every stored vacancy list
    // counts as stale, so each is ranked again, with the person, when it is next read.
    await tx.db
      .update(matches)
      .set({ computedAt: new Date(0) })
      .where(eq(matches.subjectType, 'vacancy'));
    await recordAudit(tx, { ...entry, detail: { reason: row.restrictedReason, outcome: 'ok' } });
    await appendOutbox(tx, [{ topic: 'match', aggregateType: 'customer', aggregateId: id }]);
    return stateOf(id, null, null);
  });
}
