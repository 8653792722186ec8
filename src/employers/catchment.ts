/**
 * Catchment areas: which branch serves the employers of a postcode. Each postcode belongs to at most one branch;
 * `setCatchment` (admins) is the one writer and moves a postcode away from its previous branch.
 */
import { arrayContains, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { branches } from '../db/schema.ts';
import { Plz } from '../domain/enums.ts';
import { Forbidden, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { lookupPlz } from '../geo/plz.ts';

export interface BranchRef {
  id: number;
  name: string;
}

/** The branch whose catchment holds the postcode, or null when none does. */
export async function branchForPlz(ctx: Ctx, plz: string): Promise<BranchRef | null> {
  const [row] = await ctx.db
    .select({ id: branches.id, name: branches.name })
    .from(branches)
    .where(arrayContains(branches.catchmentPlz, [plz]))
    .orderBy(asc(branches.id))
    .limit(1);
  return row ?? null;
}

export async function listCatchments(ctx: Ctx): Promise<Array<BranchRef & { plz: string[] }>> {
  const rows = await ctx.db
    .select({ id: branches.id, name: branches.name, plz: branches.catchmentPlz })
    .from(branches)
    .orderBy(asc(branches.id));
  return rows.map((r) => ({ ...r, plz: [...r.plz].sort() }));
}

export const SetCatchmentInput = z.object({
  branchId: z.number().int().min(1),
  plz: z
    .array(Plz.refine((p) => lookupPlz(p) !== undefined, 'Unbekannte Postleitzahl'))
    .max(500)
    .transform((list) => [...new Set(list)].sort()),
});
export type SetCatchmentInput = z.input<typeof SetCatchmentInput>;

export interface SetCatchmentResult {
  branchId: number;
  plz: string[];
  /** Postcodes taken from other branches. */
  moved: Array<{ plz: string; fromBranchId: number }>;
}

/** Replaces a branch's catchment (admins); postcodes listed elsewhere move to this branch. */
export async function setCatchment({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: SetCatchmentInput;
}): Promise<SetCatchmentResult> {
  if (actor.role !== 'admin') throw new Forbidden('Nur Admins können Einzugsgebiete ändern');
  const parsed = SetCatchmentInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültiges Einzugsgebiet', issuesOf(parsed.error));
  const { branchId, plz } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    // Every branch row locked: two edits at once could otherwise each keep a postcode the other moves.
    const all = await tx.db
      .select({ id: branches.id, plz: branches.catchmentPlz })
      .from(branches)
      .orderBy(asc(branches.id))
      .for('update');
    if (!all.some((b) => b.id === branchId)) throw new NotFound('Zweigstelle', String(branchId));
    const wanted = new Set(plz);
    const moved: SetCatchmentResult['moved'] = [];
    for (const other of all) {
      if (other.id === branchId) continue;
      const taken = other.plz.filter((p) => wanted.has(p));
      if (taken.length === 0) continue;
      for (const p of taken) moved.push({ plz: p, fromBranchId: other.id });
      await tx.db
        .update(branches)
        .set({ catchmentPlz: other.plz.filter((p) => !wanted.has(p)) })
        .where(eq(branches.id, other.id));
    }
    await tx.db.update(branches).set({ catchmentPlz: plz }).where(eq(branches.id, branchId));
    await recordAudit(tx, {
      actor,
      action: 'catchment.set',
      objectType: 'branch',
      objectId: String(branchId),
      detail: { count: plz.length, moved: moved.length },
    });
    return { branchId, plz, moved };
  });
}
