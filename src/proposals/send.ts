/**
 * Sending proposals: one or more customers from a vacancy's match list, with a note to the employer. At send time
 * every rule is checked again on the data as they are now (branch, restriction of processing, consent, profile group, hard constraints, caps),
 * all or nothing: if one customer fails, nothing is sent and the answer names, per customer, why not. A sent
 * proposal counts as the qualified response and tells the employer.
 *
 * Locks: the vacancy row, then the customers' rows by id, so concurrent sends to one vacancy or of one customer
 * count each other's proposals against the caps.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { MATCH_PROFILE_COLUMNS, mayAccessCustomer } from '../customers/access.ts';
import { customers, proposals } from '../db/schema.ts';
import { MatchProfile } from '../domain/customer.ts';
import { RowId } from '../domain/ids.ts';
import { Conflict, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { staffVacancy } from '../orders/access.ts';
import { countOnClock, stopClock } from '../sla/clock.ts';
import { rulesOf } from '../sla/rules.ts';
import type { PairCheck, Reason } from './pair-check.ts';

export const SendProposalsInput = z.object({
  vacancyId: RowId,
  customerIds: z
    .array(RowId)
    .min(1, 'Mindestens eine Kundin oder einen Kunden auswählen')
    .max(20)
    .refine((ids) => new Set(ids).size === ids.length, 'Jede Person nur einmal'),
  note: z.string().trim().max(2000).optional(),
  /** Proposing from the list that includes the activation profile (the caseworker's case-by-case decision). */
  includeActivation: z.boolean().default(false),
});
export type SendProposalsInput = z.input<typeof SendProposalsInput>;

export interface SendProposalsResult {
  vacancyId: string;
  proposals: Array<{ id: string; customerId: string }>;
  /** True when these proposals stopped the SLA clock (the qualified response). */
  qualifiedResponse: boolean;
}

export interface ProposalRefusal {
  customerId: string;
  failed: Reason[];
}

/** The send was refused: per customer, the rules that failed. Maps to 409 with the reasons. */
export class ProposalsRefused extends Conflict {
  constructor(readonly refusals: ProposalRefusal[]) {
    super(
      `Vorschlag nicht möglich: ${refusals
        .map((r) => `${r.customerId}: ${r.failed.map((f) => f.text).join('; ')}`)
        .join(' | ')}`,
      { refusals },
    );
  }
}

const PURPOSE = 'placement';

const RESTRICTED: Reason = {
  code: 'restricted',
  text: 'Verarbeitung eingeschränkt (Art. 18 DSGVO): Vorschläge sind erst nach Aufhebung der Einschränkung möglich',
};

export async function sendProposals({
  ctx,
  actor,
  input,
  check,
}: {
  ctx: Ctx;
  actor: Actor;
  input: SendProposalsInput;
  /** The matcher's rules for one pair (see pair-check.ts). */
  check: PairCheck;
}): Promise<SendProposalsResult> {
  const parsed = SendProposalsInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültiger Vorschlag', issuesOf(parsed.error));
  const { vacancyId, customerIds, note, includeActivation } = parsed.data;
  const rules = rulesOf(ctx);

  const outcome = await withTransaction(ctx, async (tx) => {
    const vacancy = await staffVacancy(tx, actor, vacancyId, { lock: true });
    const now = tx.now();
    const rows = await tx.db
      .select({ ...MATCH_PROFILE_COLUMNS, restrictedAt: customers.restrictedAt })
      .from(customers)
      .where(inArray(customers.id, customerIds))
      .orderBy(asc(customers.id))
      .for('update');
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = customerIds.find((id) => !byId.has(id));
    if (missing) throw new NotFound('Kunde', missing);

    const existing = await tx.db
      .select({ customerId: proposals.customerId })
      .from(proposals)
      .where(and(eq(proposals.vacancyId, vacancyId), inArray(proposals.customerId, customerIds)));
    const alreadyProposed = new Set(existing.map((e) => e.customerId));
    const [vacancyOpen] = await tx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(proposals)
      .where(and(eq(proposals.vacancyId, vacancyId), eq(proposals.status, 'open')));
    const customerOpen = new Map(
      (
        await tx.db
          .select({ id: proposals.customerId, n: sql<number>`count(*)::int` })
          .from(proposals)
          .where(and(inArray(proposals.customerId, customerIds), eq(proposals.status, 'open')))
          .groupBy(proposals.customerId)
      ).map((r) => [r.id, r.n]),
    );
    const openOnVacancy = vacancyOpen?.n ?? 0;

    const refusals: ProposalRefusal[] = [];
    for (const id of customerIds) {
      const row = byId.get(id)!;
      const failed: Reason[] = [];
      if (!mayAccessCustomer(actor, row.branchId)) {
        // Nothing more is said about a customer outside the actor's branch.
        refusals.push({ customerId: id, failed: [{ code: 'branch', text: 'Kundin/Kunde einer anderen Zweigstelle' }] });
        continue;
      }
      if (row.restrictedAt !== null) {
        // Art. 18 GDPR: the data are only stored; no other rule matters until the restriction is lifted.
        refusals.push({ customerId: id, failed: [RESTRICTED] });
        continue;
      }
      const profile = MatchProfile.safeParse(row);
      if (!profile.success) {
        failed.push({ code: 'profile_incomplete', text: 'Profil für den Abgleich unvollständig' });
      } else {
        const result = check({ profile: profile.data, vacancy, now, includeActivation });
        if (result === null) {
          throw new Conflict(
            `Stelle ${vacancyId} ist nicht offen oder noch nicht verschlüsselt; es gibt keine Vorschläge`,
            {
              vacancyId,
            },
          );
        }
        failed.push(...result);
      }
      if (alreadyProposed.has(id)) {
        failed.push({ code: 'not_yet_proposed', text: 'bereits für diese Stelle vorgeschlagen oder abgelehnt' });
      }
      if ((customerOpen.get(id) ?? 0) >= rules.caps.perCustomer) {
        failed.push({
          code: 'customer_cap',
          text: `Obergrenze von ${rules.caps.perCustomer} offenen Vorschlägen für diese Person erreicht`,
        });
      }
      if (failed.length) refusals.push({ customerId: id, failed });
    }
    if (openOnVacancy + customerIds.length > rules.caps.perVacancy) {
      const left = Math.max(0, rules.caps.perVacancy - openOnVacancy);
      const text = `Obergrenze von ${rules.caps.perVacancy} offenen Vorschlägen je Stelle: noch ${left} möglich`;
      for (const id of customerIds) {
        const entry = refusals.find((r) => r.customerId === id);
        if (entry) entry.failed.push({ code: 'vacancy_cap', text });
        else refusals.push({ customerId: id, failed: [{ code: 'vacancy_cap', text }] });
      }
    }

    if (refusals.length) {
      // The check read customer data: that read is on record although nothing is sent.
      for (const refusal of refusals) {
        await recordAudit(tx, {
          actor,
          action: 'proposal.refuse',
          objectType: 'customer',
          objectId: refusal.customerId,
          purpose: PURPOSE,
          detail: { vacancyId, failed: refusal.failed.map((f) => f.code) },
        });
      }
      return { refused: refusals } as const;
    }

    const inserted = await tx.db
      .insert(proposals)
      .values(
        customerIds.map((customerId) => ({
          vacancyId,
          customerId,
          status: 'open' as const,
          createdBy: actor.userId,
          createdAt: now,
          note: note ?? null,
        })),
      )
      .returning({ id: proposals.id });
    // `returning` keeps the order of the values.
    const sent = inserted.map((p, i) => ({ id: p.id, customerId: customerIds[i]! }));
    for (const p of sent) {
      await recordAudit(tx, {
        actor,
        action: 'proposal.create',
        objectType: 'proposal',
        objectId: p.id,
        purpose: PURPOSE,
        detail: { vacancyId, customerId: p.customerId },
      });
    }
    const qualifiedResponse = await stopClock(tx, { vacancyId, reason: 'proposal', actorUserId: actor.userId });
    await countOnClock(tx, vacancyId, { sent: inserted.length });
    if (vacancy.submittedBy) {
      await enqueueNotification(tx, {
        template: 'proposals_received',
        // One message per send: the batch is named by its first proposal.
        cause: `proposals_received:${vacancyId}:${inserted[0]!.id}`,
        recipientUserId: vacancy.submittedBy,
        vacancyId,
        payload: { reference: vacancy.referenceNumber ?? vacancyId, title: vacancy.title, count: inserted.length },
      });
    }
    return { sent: { vacancyId, proposals: sent, qualifiedResponse } } as const;
  });
  if (outcome.refused) throw new ProposalsRefused(outcome.refused);
  return outcome.sent!;
}
