/** Every branch with its office postcode and how many postcodes it serves for employers. */
import { and, asc, count, isNotNull, isNull } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { branches, users } from '../db/schema.ts';

export interface BranchInfo {
  id: number;
  name: string;
  plz: string;
  /** Postcodes of its catchment (`catchment list` names them). */
  catchmentCount: number;
  /** Accounts of the branch that are not disabled: a branch without any has nobody to work its cases. */
  activeUsers: number;
}

export async function listBranches(ctx: Ctx): Promise<BranchInfo[]> {
  const rows = await ctx.db
    .select({ id: branches.id, name: branches.name, plz: branches.plz, catchment: branches.catchmentPlz })
    .from(branches)
    .orderBy(asc(branches.id));
  const staff = await ctx.db
    .select({ branchId: users.branchId, n: count() })
    .from(users)
    .where(and(isNotNull(users.branchId), isNull(users.disabledAt)))
    .groupBy(users.branchId);
  const staffOf = new Map(staff.map((s) => [s.branchId, s.n]));
  return rows.map(({ catchment, ...b }) => ({
    ...b,
    catchmentCount: catchment.length,
    activeUsers: staffOf.get(b.id) ?? 0,
  }));
}
