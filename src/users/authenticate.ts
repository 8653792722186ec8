import { and, eq, isNull } from 'drizzle-orm';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { apiTokens, users } from '../db/schema.ts';
import { hashToken } from './tokens.ts';

/** The actor behind a bearer token, or null for unknown, revoked or disabled. */
export async function authenticateToken(ctx: Ctx, token: string): Promise<Actor | null> {
  const [row] = await ctx.db
    .select({ userId: users.id, role: users.role, branchId: users.branchId, employerId: users.employerId })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt), isNull(users.disabledAt)));
  return row ?? null;
}
