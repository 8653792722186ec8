/**
 * Idempotent submissions (`Idempotency-Key` header): a retried request with the same key and the same body returns
 * the first answer; the same key with another body is refused. Keys are scoped per user and kept for 24 hours.
 *
 * Race-safe: the key row is inserted first, in the transaction that creates the order. A concurrent request with
 * the same key blocks on the primary key until the first commits, then finds its row and replays its answer; if the
 * first rolled back, the second proceeds as the first.
 */
import { createHash } from 'node:crypto';
import { and, eq, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { Conflict } from '../errors.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export const IdempotencyKey = z
  .string()
  .min(1, { error: 'darf nicht leer sein', abort: true })
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'nur sichtbare ASCII-Zeichen');

export function requestHash(operation: string, body: unknown): string {
  return createHash('sha256').update(operation).update('\u0000').update(JSON.stringify(body)).digest('base64url');
}

export interface KeyRef {
  userId: string;
  key: string;
}

/** The first answer to replay, or null when this request is the first with the key (the key is now taken). */
export async function claimKey(
  tx: Ctx,
  ref: KeyRef,
  request: { operation: string; hash: string },
): Promise<Record<string, unknown> | null> {
  const now = tx.now();
  const where = and(eq(idempotencyKeys.userId, ref.userId), eq(idempotencyKeys.key, ref.key));
  await tx.db.delete(idempotencyKeys).where(and(where, lte(idempotencyKeys.expiresAt, now)));
  const inserted = await tx.db
    .insert(idempotencyKeys)
    .values({
      userId: ref.userId,
      key: ref.key,
      operation: request.operation,
      requestHash: request.hash,
      response: {},
      createdAt: now,
      expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length > 0) return null;
  const [first] = await tx.db.select().from(idempotencyKeys).where(where);
  if (!first) throw new Conflict('Die Anfrage mit diesem Idempotency-Key läuft noch; bitte erneut versuchen');
  if (first.operation !== request.operation || first.requestHash !== request.hash) {
    throw new Conflict('Dieser Idempotency-Key wurde bereits für eine andere Anfrage verwendet', {
      idempotencyKey: ref.key,
    });
  }
  return first.response;
}

export async function storeResponse(tx: Ctx, ref: KeyRef, response: Record<string, unknown>): Promise<void> {
  await tx.db
    .update(idempotencyKeys)
    .set({ response })
    .where(and(eq(idempotencyKeys.userId, ref.userId), eq(idempotencyKeys.key, ref.key)));
}

/** Housekeeping for a periodic job: removes expired keys; returns how many. */
export async function purgeExpiredKeys(ctx: Ctx): Promise<number> {
  const rows = await ctx.db
    .delete(idempotencyKeys)
    .where(lte(idempotencyKeys.expiresAt, ctx.now()))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
