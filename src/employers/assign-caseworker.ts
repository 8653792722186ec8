/**
 * Which employer-service caseworker (AG-pAp) handles an order: the employer's named contact if they still serve the
 * branch, else the next one of the branch in turn (round robin, by user id). The branch row is locked while the
 * turn is taken, so concurrent orders never get the same turn.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { branches, employers, users } from '../db/schema.ts';
import { RowId } from '../domain/ids.ts';
import { Forbidden, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { branchForPlz } from './catchment.ts';

export interface AssignedCaseworker {
  id: string;
  displayName: string;
  /** 'contact': the employer's named contact; 'round_robin': the branch's next in turn. */
  rule: 'contact' | 'round_robin';
}

/** Active employer-service caseworkers of a branch, in turn order. */
export async function employerServiceCaseworkers(tx: Ctx, branchId: number) {
  return tx.db
    .select({ id: users.id, displayName: users.displayName })
    .from(users)
    .where(
      and(
        eq(users.role, 'caseworker'),
        eq(users.employerService, true),
        eq(users.branchId, branchId),
        isNull(users.disabledAt),
      ),
    )
    .orderBy(asc(users.id));
}

/** Call inside the order's transaction; null when the branch has no employer-service caseworker. */
export async function assignCaseworker(
  tx: Ctx,
  { branchId, employerId }: { branchId: number; employerId: string },
): Promise<AssignedCaseworker | null> {
  const candidates = await employerServiceCaseworkers(tx, branchId);
  const [employer] = await tx.db
    .select({ contact: employers.contactCaseworkerId })
    .from(employers)
    .where(eq(employers.id, employerId));
  const contact = candidates.find((c) => c.id === employer?.contact);
  if (contact) return { ...contact, rule: 'contact' };
  if (candidates.length === 0) return null;
  const [branch] = await tx.db
    .select({ last: branches.lastAssignedCaseworkerId })
    .from(branches)
    .where(eq(branches.id, branchId))
    .for('update');
  const last = branch?.last ?? null;
  const next = (last ? candidates.find((c) => c.id > last) : undefined) ?? candidates[0]!;
  await tx.db.update(branches).set({ lastAssignedCaseworkerId: next.id }).where(eq(branches.id, branchId));
  return { ...next, rule: 'round_robin' };
}

/** The actor is an admin, or an employer-service caseworker of the branch. */
export async function assertEmployerServiceOf(tx: Ctx, actor: Actor, branchId: number | null): Promise<void> {
  if (actor.role === 'admin') return;
  if (actor.role === 'caseworker' && branchId !== null && actor.branchId === branchId) {
    const [me] = await tx.db
      .select({ employerService: users.employerService })
      .from(users)
      .where(eq(users.id, actor.userId));
    if (me?.employerService) return;
  }
  throw new Forbidden('Nur Admins und der Arbeitgeberservice der zuständigen Zweigstelle können das tun');
}

export const SetEmployerContactInput = z.object({ employerId: RowId, caseworkerId: RowId.nullable() });

/** Names (or clears) the employer's contact in the employer service: admins, or the branch's employer service. */
export async function setEmployerContact({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: z.input<typeof SetEmployerContactInput>;
}): Promise<{ employerId: string; caseworkerId: string | null }> {
  const parsed = SetEmployerContactInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Angaben', issuesOf(parsed.error));
  const { employerId, caseworkerId } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const [employer] = await tx.db.select().from(employers).where(eq(employers.id, employerId)).for('update');
    if (!employer) throw new NotFound('Arbeitgeber', employerId);
    // The catchment decides, as for orders and invitations; the stored branch only names where it was at creation.
    const branchId = (employer.plz ? (await branchForPlz(tx, employer.plz))?.id : undefined) ?? employer.branchId;
    await assertEmployerServiceOf(tx, actor, branchId);
    if (caseworkerId) {
      const ok = (await employerServiceCaseworkers(tx, branchId ?? -1)).some((c) => c.id === caseworkerId);
      if (!ok) {
        throw new ValidationFailed('Ungültige Angaben', [
          { path: 'caseworker_id', message: 'keine Fachkraft des Arbeitgeberservice der zuständigen Zweigstelle' },
        ]);
      }
    }
    await tx.db.update(employers).set({ contactCaseworkerId: caseworkerId }).where(eq(employers.id, employerId));
    await recordAudit(tx, {
      actor,
      action: 'employer.set_contact',
      objectType: 'employer',
      objectId: employerId,
      detail: { caseworkerId },
    });
    return { employerId, caseworkerId };
  });
}

export const SetEmployerServiceInput = z.object({ userId: RowId, employerService: z.boolean() });

/** Admins mark a caseworker as employer service (AG-pAp) or take the mark away. */
export async function setEmployerService({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: z.input<typeof SetEmployerServiceInput>;
}): Promise<{ userId: string; employerService: boolean }> {
  if (actor.role !== 'admin') throw new Forbidden('Nur Admins können den Arbeitgeberservice zuordnen');
  const parsed = SetEmployerServiceInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Angaben', issuesOf(parsed.error));
  const { userId, employerService } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const [user] = await tx.db.select({ role: users.role }).from(users).where(eq(users.id, userId));
    if (!user) throw new NotFound('Benutzer', userId);
    if (user.role !== 'caseworker') {
      throw new ValidationFailed('Nur Vermittlungsfachkräfte können zum Arbeitgeberservice gehören');
    }
    await tx.db.update(users).set({ employerService }).where(eq(users.id, userId));
    await recordAudit(tx, {
      actor,
      action: 'user.set_employer_service',
      objectType: 'user',
      objectId: userId,
      detail: { employerService },
    });
    return { userId, employerService };
  });
}
