/**
 * Invitation links: how a person gets a password for the pages. Staff create one for a user (an employer's
 * representative, a new caseworker); the link `/einladung/<token>` works once and until it expires. Redeeming it
 * sets the password and signs the person in. Only the token's SHA-256 is stored, as for sessions and API tokens.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { userInvitations, users } from '../db/schema.ts';
import { AppError, NotFound, ValidationFailed } from '../errors.ts';
import { hashPassword, newPasswordProblem } from './password.ts';
import { endSessionsOf, type NewSession, openSession } from './sessions.ts';
import { hashToken } from './tokens.ts';

/** Three days: long enough for a weekend, short enough that a forwarded old e-mail opens nothing. */
export const INVITATION_TTL_HOURS = 72;
const MAX_TTL_HOURS = 24 * 14;
const MAX_INVITATION_TOKEN_LENGTH = 128;

export const INVITATION_PATH = '/einladung';

/** Expired, already used, or never issued: the person gets one answer for all, and asks for a new link. */
export class InvitationInvalid extends AppError {
  constructor() {
    super('not_found', 'Dieser Einladungslink ist abgelaufen oder wurde schon benutzt.');
  }
}

export interface Invitation {
  /** Shown once (in the link); only its hash is stored. */
  token: string;
  expiresAt: Date;
  /** The page path, to be put after the service's public address: `/einladung/<token>`. */
  path: string;
}

export async function createInvitation(
  ctx: Ctx,
  {
    userId,
    createdBy,
    ttlHours = INVITATION_TTL_HOURS,
  }: { userId: string; createdBy: string | null; ttlHours?: number },
): Promise<Invitation> {
  if (!Number.isFinite(ttlHours) || ttlHours <= 0 || ttlHours > MAX_TTL_HOURS) {
    throw new ValidationFailed('Ungültige Gültigkeitsdauer', [
      { path: 'ttl_hours', message: `zwischen 1 und ${MAX_TTL_HOURS} Stunden` },
    ]);
  }
  const token = `jbi_${randomBytes(32).toString('base64url')}`;
  return withTransaction(ctx, async (tx) => {
    const [user] = await tx.db.select({ id: users.id }).from(users).where(eq(users.id, userId));
    if (!user) throw new NotFound('Benutzer', userId);
    const now = tx.now();
    const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
    // A new link replaces the earlier ones: only the latest e-mail opens the account.
    await tx.db
      .update(userInvitations)
      .set({ expiresAt: now })
      .where(
        and(eq(userInvitations.userId, userId), isNull(userInvitations.usedAt), gt(userInvitations.expiresAt, now)),
      );
    await tx.db
      .insert(userInvitations)
      .values({ tokenHash: hashToken(token), userId, createdBy, createdAt: now, expiresAt });
    await recordAudit(tx, {
      actor: null,
      action: 'invitation.create',
      objectType: 'user',
      objectId: userId,
      detail: { createdBy, expiresAt: expiresAt.toISOString() },
    });
    return { token, expiresAt, path: `${INVITATION_PATH}/${token}` };
  });
}

export interface InvitedUser {
  email: string;
  displayName: string;
}

async function usableInvitation(ctx: Ctx, token: string, forUpdate: boolean) {
  if (token.length > MAX_INVITATION_TOKEN_LENGTH) return undefined;
  const query = ctx.db
    .select({ userId: users.id, email: users.email, displayName: users.displayName })
    .from(userInvitations)
    .innerJoin(users, eq(users.id, userInvitations.userId))
    .where(
      and(
        eq(userInvitations.tokenHash, hashToken(token)),
        isNull(userInvitations.usedAt),
        gt(userInvitations.expiresAt, ctx.now()),
        isNull(users.disabledAt),
      ),
    );
  const [row] = forUpdate ? await query.for('update', { of: userInvitations }) : await query;
  return row;
}

/** Whom a still usable link is for (to greet them on the form), or null. Changes nothing. */
export async function invitationFor(ctx: Ctx, token: string): Promise<InvitedUser | null> {
  const row = await usableInvitation(ctx, token, false);
  return row ? { email: row.email, displayName: row.displayName } : null;
}

/**
 * Sets the password, uses up the link, ends every earlier session of the user and opens a new one. A refused
 * password leaves the link usable; a second redemption (double click, another tab) finds it used.
 */
export async function redeemInvitation(ctx: Ctx, token: string, password: string): Promise<NewSession> {
  const problem = newPasswordProblem(password);
  if (problem)
    throw new ValidationFailed('Das Passwort erfüllt die Regeln nicht', [{ path: 'password', message: problem }]);
  // Hashing takes tens of milliseconds; done before the transaction so the row lock is held briefly.
  const passwordHash = await hashPassword(password);
  return withTransaction(ctx, async (tx) => {
    const row = await usableInvitation(tx, token, true);
    if (!row) throw new InvitationInvalid();
    const now = tx.now();
    await tx.db
      .update(userInvitations)
      .set({ usedAt: now })
      .where(eq(userInvitations.tokenHash, hashToken(token)));
    await tx.db.update(users).set({ passwordHash, passwordSetAt: now }).where(eq(users.id, row.userId));
    await endSessionsOf(tx, row.userId);
    await recordAudit(tx, { actor: null, action: 'invitation.redeem', objectType: 'user', objectId: row.userId });
    return openSession(tx, row.userId);
  });
}
