/**
 * Inviting employer users: an employer user belongs to one employer (company), whose postcode decides the
 * responsible branch. Admins and the employer-service caseworkers of that branch invite. The invitation yields an
 * invitation link for the person (set a password, then sign in to the employer portal) and a one-time API token
 * for a program of the employer.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { employers } from '../db/schema.ts';
import { Plz } from '../domain/enums.ts';
import { RowId } from '../domain/ids.ts';
import { issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { lookupPlz } from '../geo/plz.ts';
import { normaliseEmployer } from '../ingest/dedupe.ts';
import { addUser } from '../users/add-user.ts';
import { createInvitation, type Invitation } from '../users/invitations.ts';
import { assertEmployerServiceOf } from './assign-caseworker.ts';
import { branchForPlz } from './catchment.ts';

export const InviteEmployerUserInput = z
  .object({
    email: z.string().trim().toLowerCase().email('keine gültige E-Mail-Adresse'),
    displayName: z.string().trim().min(1).max(200).optional(),
    /** An employer already known … */
    employerId: RowId.optional(),
    /** … or a new one. */
    employer: z
      .object({
        name: z.string().trim().min(1).max(300),
        plz: Plz.refine((p) => lookupPlz(p) !== undefined, 'Unbekannte Postleitzahl'),
      })
      .optional(),
  })
  .refine((v) => (v.employerId === undefined) !== (v.employer === undefined), {
    message: 'Entweder einen bekannten Arbeitgeber (employer_id) oder einen neuen (employer) angeben',
    path: ['employer'],
  });
export type InviteEmployerUserInput = z.input<typeof InviteEmployerUserInput>;

export interface InviteResult {
  userId: string;
  employerId: string;
  branchId: number | null;
  /** Shown once; only its hash is stored. */
  token: string;
  /** The link for the person to set a password (`/einladung/<token>`); shown once, expires. */
  invitation: Invitation;
}

export async function inviteEmployerUser({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: InviteEmployerUserInput;
}): Promise<InviteResult> {
  const parsed = InviteEmployerUserInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Einladung', issuesOf(parsed.error));
  const v = parsed.data;
  return withTransaction(ctx, async (tx) => {
    let employerId: string;
    let branchId: number | null;
    if (v.employerId) {
      const [employer] = await tx.db.select().from(employers).where(eq(employers.id, v.employerId));
      if (!employer) throw new NotFound('Arbeitgeber', v.employerId);
      employerId = employer.id;
      branchId = (employer.plz ? (await branchForPlz(tx, employer.plz))?.id : undefined) ?? employer.branchId;
      await assertEmployerServiceOf(tx, actor, branchId);
    } else {
      const { name, plz } = v.employer!;
      branchId = (await branchForPlz(tx, plz))?.id ?? null;
      await assertEmployerServiceOf(tx, actor, branchId);
      const [created] = await tx.db
        .insert(employers)
        .values({ name, normalisedName: normaliseEmployer(name), plz, branchId, createdAt: tx.now() })
        .returning({ id: employers.id });
      employerId = created!.id;
    }
    const { userId, token } = await addUser({
      ctx: tx,
      input: { email: v.email, role: 'employer', employerId, displayName: v.displayName },
    });
    // An operator at the command line has no user row to name as the inviter; the audit row names their login.
    const invitation = await createInvitation(tx, { userId, createdBy: actor.operator ? null : actor.userId });
    await recordAudit(tx, {
      actor,
      action: 'employer_user.invite',
      objectType: 'user',
      objectId: userId,
      detail: { employerId, branchId },
    });
    return { userId, employerId, branchId, token, invitation };
  });
}
