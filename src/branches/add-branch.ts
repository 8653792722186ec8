/**
 * Adds a branch (admins): a fresh installation has none, and staff accounts and customers need one. The catchment
 * may be given at once; it is set by the catchment's own verb in the same transaction, so a bad list leaves no branch.
 */
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { branches } from '../db/schema.ts';
import { SetCatchmentInput, type SetCatchmentResult, setCatchment } from '../employers/catchment.ts';
import { Conflict, Forbidden, issuesOf, ValidationFailed } from '../errors.ts';
import { BranchId, BranchName, BranchPlz, MAX_BRANCH_ID, sameBranchName } from './branch-fields.ts';
import { lockBranchNames } from './branch-lock.ts';

export const AddBranchInput = z.object({
  /** Unset: one above the highest number in use. */
  id: BranchId.optional(),
  name: BranchName,
  plz: BranchPlz,
  /** Postcodes the branch serves for employers; listed for another branch, they move here. */
  catchmentPlz: SetCatchmentInput.shape.plz.optional(),
});
export type AddBranchInput = z.input<typeof AddBranchInput>;

export interface AddBranchResult {
  id: number;
  name: string;
  plz: string;
  catchmentPlz: string[];
  /** Postcodes taken from other branches' catchments. */
  moved: SetCatchmentResult['moved'];
}

export async function addBranch({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: AddBranchInput;
}): Promise<AddBranchResult> {
  if (actor.role !== 'admin') throw new Forbidden('Nur Admins können Zweigstellen anlegen');
  const parsed = AddBranchInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Angaben für die Zweigstelle', issuesOf(parsed.error));
  const { name, plz, catchmentPlz = [] } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const existing = await lockBranchNames(tx);
    const id = parsed.data.id ?? (existing.at(-1)?.id ?? 0) + 1;
    if (id > MAX_BRANCH_ID) {
      throw new ValidationFailed(`Nach Zweigstelle ${id - 1} ist keine Nummer mehr frei`, [
        { path: 'id', message: `eine freie Nummer zwischen 1 und ${MAX_BRANCH_ID} angeben` },
      ]);
    }
    const sameId = existing.find((b) => b.id === id);
    if (sameId) throw new Conflict(`Zweigstelle ${id} gibt es schon: ${sameId.name}`, { id });
    const sameName = existing.find((b) => sameBranchName(b.name, name));
    if (sameName) {
      throw new Conflict(`Eine Zweigstelle „${sameName.name}“ gibt es schon (Nummer ${sameName.id})`, {
        id: sameName.id,
      });
    }
    await tx.db.insert(branches).values({ id, name, plz });
    await recordAudit(tx, {
      actor,
      action: 'branch.add',
      objectType: 'branch',
      objectId: String(id),
      detail: { name, plz },
    });
    const catchment =
      catchmentPlz.length > 0
        ? await setCatchment({ ctx: tx, actor, input: { branchId: id, plz: catchmentPlz } })
        : { plz: [], moved: [] };
    return { id, name, plz, catchmentPlz: catchment.plz, moved: catchment.moved };
  });
}
