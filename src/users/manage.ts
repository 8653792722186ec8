/**
 * Account administration: every account with its tokens, disabling and enabling an account, and revoking one token.
 * A disabled account's tokens are refused at once (./authenticate.ts checks `disabled_at` on every request) and its
 * page sessions end; enabling it again brings the tokens back, not the sessions. Every change is audited, and so is
 * the list, which names staff and employer contacts.
 */
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { apiTokens, employers, users } from '../db/schema.ts';
import { Role } from '../domain/enums.ts';
import { isRowId } from '../domain/ids.ts';
import { Conflict, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { endSessionsOf } from './sessions.ts';

export const ListUsersInput = z.object({
  role: Role.optional(),
  branch: z.number().int().min(1).optional(),
});
export type ListUsersInput = z.input<typeof ListUsersInput>;

/** A token as an administrator sees it: never the token, never its hash. */
export interface TokenInfo {
  id: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface UserInfo {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  branchId: number | null;
  employer: { id: string; name: string } | null;
  employerService: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  tokens: TokenInfo[];
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationFailed(what, issuesOf(parsed.error));
  return parsed.data;
}

/** Every account (or those of a role or branch), by e-mail address, each with its tokens oldest first. */
export async function listUsers({
  ctx,
  actor,
  input = {},
}: {
  ctx: Ctx;
  actor: Actor;
  input?: ListUsersInput;
}): Promise<UserInfo[]> {
  const v = parse(ListUsersInput, input, 'Ungültige Filter');
  const where: SQL[] = [];
  if (v.role) where.push(eq(users.role, v.role));
  if (v.branch !== undefined) where.push(eq(users.branchId, v.branch));
  const rows = await ctx.db
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      role: users.role,
      branchId: users.branchId,
      employerId: users.employerId,
      employerName: employers.name,
      employerService: users.employerService,
      disabledAt: users.disabledAt,
      createdAt: users.createdAt,
    })
    .from(users)
    .leftJoin(employers, eq(employers.id, users.employerId))
    .where(and(...where))
    .orderBy(asc(users.email));
  const tokens = await ctx.db
    .select({
      id: apiTokens.id,
      userId: apiTokens.userId,
      label: apiTokens.label,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
  const byUser = new Map<string, TokenInfo[]>();
  for (const { userId, ...token } of tokens) {
    const list = byUser.get(userId) ?? [];
    list.push(token);
    byUser.set(userId, list);
  }
  await recordAudit(ctx, {
    actor,
    action: 'users.list',
    objectType: 'user',
    purpose: 'account_administration',
    detail: { role: v.role ?? null, branch: v.branch ?? null, returned: rows.length },
  });
  return rows.map(({ employerId, employerName, ...user }) => ({
    ...user,
    employer: employerId ? { id: employerId, name: employerName ?? '' } : null,
    tokens: byUser.get(user.id) ?? [],
  }));
}

const Email = z.string().trim().toLowerCase().min(1).max(320);

/** The account behind an address, locked for the rest of the transaction. */
async function lockUser(tx: Ctx, email: string) {
  const [user] = await tx.db
    .select({ id: users.id, email: users.email, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.email, email))
    .for('update');
  if (!user) throw new NotFound('Benutzer', email);
  return user;
}

export interface DisableResult {
  userId: string;
  /** False when the account was disabled already: nothing changed. */
  changed: boolean;
  /** Page sessions ended by this call. */
  sessionsEnded: number;
}

/** Disables an account: its tokens stop working at once and its page sessions end. */
export async function disableUser({
  ctx,
  actor,
  email,
}: {
  ctx: Ctx;
  actor: Actor;
  email: string;
}): Promise<DisableResult> {
  const address = parse(Email, email, 'Ungültige E-Mail-Adresse');
  return withTransaction(ctx, async (tx) => {
    const user = await lockUser(tx, address);
    const now = tx.now();
    // Sessions are ended also when the account was disabled already: one started meanwhile would be refused anyway.
    const ended = await endSessionsOf(tx, user.id);
    if (user.disabledAt) return { userId: user.id, changed: false, sessionsEnded: ended };
    await tx.db.update(users).set({ disabledAt: now }).where(eq(users.id, user.id));
    await recordAudit(tx, {
      actor,
      action: 'user.disable',
      objectType: 'user',
      objectId: user.id,
      purpose: 'account_administration',
      detail: { sessionsEnded: ended },
    });
    return { userId: user.id, changed: true, sessionsEnded: ended };
  });
}

/** Enables a disabled account: its tokens that were not revoked work again; its ended sessions stay ended. */
export async function enableUser({
  ctx,
  actor,
  email,
}: {
  ctx: Ctx;
  actor: Actor;
  email: string;
}): Promise<{ userId: string; changed: boolean }> {
  const address = parse(Email, email, 'Ungültige E-Mail-Adresse');
  return withTransaction(ctx, async (tx) => {
    const user = await lockUser(tx, address);
    if (!user.disabledAt) return { userId: user.id, changed: false };
    await tx.db.update(users).set({ disabledAt: null }).where(eq(users.id, user.id));
    await recordAudit(tx, {
      actor,
      action: 'user.enable',
      objectType: 'user',
      objectId: user.id,
      purpose: 'account_administration',
      detail: { disabledSince: user.disabledAt.toISOString() },
    });
    return { userId: user.id, changed: true };
  });
}

export const RevokeTokenInput = z
  .object({
    email: Email,
    label: z.string().trim().min(1).max(200).optional(),
    tokenId: z.string().optional(),
  })
  .refine((v) => (v.label === undefined) !== (v.tokenId === undefined), {
    message: 'Entweder die Bezeichnung oder die Kennung des Tokens angeben',
    path: ['label'],
  });
export type RevokeTokenInput = z.input<typeof RevokeTokenInput>;

/**
 * Revokes one token of an account, named by its label or its id; the account's other tokens keep working. A label
 * that several active tokens share is refused: which one was meant is for the caller to say (by id).
 */
export async function revokeToken({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: RevokeTokenInput;
}): Promise<{ userId: string; tokenId: string; label: string }> {
  const v = parse(RevokeTokenInput, input, 'Ungültige Angaben');
  return withTransaction(ctx, async (tx) => {
    const user = await lockUser(tx, v.email);
    const byWhat =
      v.tokenId !== undefined
        ? isRowId(v.tokenId)
          ? eq(apiTokens.id, v.tokenId)
          : undefined
        : eq(apiTokens.label, v.label as string);
    const candidates = byWhat
      ? await tx.db
          .select({ id: apiTokens.id, label: apiTokens.label, revokedAt: apiTokens.revokedAt })
          .from(apiTokens)
          .where(and(eq(apiTokens.userId, user.id), byWhat))
          .for('update')
      : [];
    const named = v.tokenId !== undefined ? `mit der Kennung ${v.tokenId}` : `„${v.label}“`;
    if (candidates.length === 0) throw new NotFound(`Token ${named} von`, v.email);
    const active = candidates.filter((t) => t.revokedAt === null);
    if (active.length === 0) throw new Conflict(`Das Token ${named} von ${v.email} ist bereits widerrufen`);
    if (active.length > 1) {
      throw new Conflict(
        `${v.email} hat ${active.length} aktive Tokens ${named}: bitte eines per Kennung wählen (${active
          .map((t) => t.id)
          .join(', ')})`,
      );
    }
    const token = active[0]!;
    await tx.db.update(apiTokens).set({ revokedAt: tx.now() }).where(eq(apiTokens.id, token.id));
    await recordAudit(tx, {
      actor,
      action: 'token.revoke',
      objectType: 'user',
      objectId: user.id,
      purpose: 'account_administration',
      detail: { tokenId: token.id, label: token.label },
    });
    return { userId: user.id, tokenId: token.id, label: token.label };
  });
}
