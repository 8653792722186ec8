/** Renames a branch (admins). Lists, the workbench and the exchange feed read the name live, so nothing is rebuilt. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { branches } from '../db/schema.ts';
import { Conflict, Forbidden, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { BranchId, BranchName, sameBranchName } from './branch-fields.ts';
import { lockBranchNames } from './branch-lock.ts';

export const RenameBranchInput = z.object({ id: BranchId, name: BranchName });
export type RenameBranchInput = z.input<typeof RenameBranchInput>;

export interface RenameBranchResult {
  id: number;
  previousName: string;
  name: string;
  /** False when the branch had that name already: nothing was written. */
  changed: boolean;
}

export async function renameBranch({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: RenameBranchInput;
}): Promise<RenameBranchResult> {
  if (actor.role !== 'admin') throw new Forbidden('Nur Admins können Zweigstellen umbenennen');
  const parsed = RenameBranchInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Angaben für die Zweigstelle', issuesOf(parsed.error));
  const { id, name } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const existing = await lockBranchNames(tx);
    const branch = existing.find((b) => b.id === id);
    if (!branch) throw new NotFound('Zweigstelle', String(id));
    const sameName = existing.find((b) => b.id !== id && sameBranchName(b.name, name));
    if (sameName) {
      throw new Conflict(`Eine Zweigstelle „${sameName.name}“ gibt es schon (Nummer ${sameName.id})`, {
        id: sameName.id,
      });
    }
    if (branch.name === name) return { id, previousName: name, name, changed: false };
    await tx.db.update(branches).set({ name }).where(eq(branches.id, id));
    await recordAudit(tx, {
      actor,
      action: 'branch.rename',
      objectType: 'branch',
      objectId: String(id),
      detail: { from: branch.name, to: name },
    });
    return { id, previousName: branch.name, name, changed: true };
  });
}
