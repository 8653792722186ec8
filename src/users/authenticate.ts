import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { apiTokens, users } from '../db/schema.ts';
import { hashToken } from './tokens.ts';

/**
 * `last_used_at` answers "is this token still in use?", for which a minute is precise enough; writing it on every
 * request would turn each authenticated read into a write.
 */
export const LAST_USED_PRECISION_MS = 60_000;

/** Far longer than any token we issue (`jb_` and 32 characters); a longer one is refused without a query. */
const MAX_TOKEN_LENGTH = 256;

/** The actor behind a bearer token, or null for unknown, revoked or disabled. */
export async function authenticateToken(ctx: Ctx, token: string): Promise<Actor | null> {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const [row] = await ctx.db
    .select({
      tokenId: apiTokens.id,
      lastUsedAt: apiTokens.lastUsedAt,
      userId: users.id,
      role: users.role,
      branchId: users.branchId,
      employerId: users.employerId,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt), isNull(users.disabledAt)));
  if (!row) return null;
  const { tokenId, lastUsedAt, ...actor } = row;
  const now = ctx.now();
  const staleBefore = new Date(now.getTime() - LAST_USED_PRECISION_MS);
  if (!lastUsedAt || lastUsedAt < staleBefore) await touchToken(ctx, tokenId, now, staleBefore);
  return actor;
}

/** Bookkeeping only: a failed write must not refuse a valid token. */
async function touchToken(ctx: Ctx, tokenId: string, now: Date, staleBefore: Date): Promise<void> {
  try {
    await ctx.db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      // Concurrent first requests of a minute: only one of them writes.
      .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, staleBefore))));
  } catch (err) {
    ctx.log.warn({ tokenId, err: (err as Error).message }, 'could not record the token use');
  }
}
