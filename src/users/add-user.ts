import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { type Ctx, withTransaction } from '../context.ts';
import { apiTokens, branches, users } from '../db/schema.ts';
import { Role } from '../domain/enums.ts';
import { Conflict, issuesOf, ValidationFailed } from '../errors.ts';
import { generateToken, hashToken } from './tokens.ts';

export const AddUserInput = z
  .object({
    email: z.string().trim().toLowerCase().email('keine gültige E-Mail-Adresse'),
    role: Role,
    branchId: z.number().int().min(1).nullable().default(null),
    employerId: z.string().uuid().nullable().default(null),
    displayName: z.string().trim().min(1).max(200).optional(),
    /** Only demo seeding passes a fixed token; everyone else gets a random one. */
    token: z.string().min(20).optional(),
  })
  .superRefine((v, issue) => {
    if ((v.role === 'caseworker' || v.role === 'branch_lead') && v.branchId === null) {
      issue.addIssue({ code: 'custom', path: ['branchId'], message: `role ${v.role} needs a branch (--branch N)` });
    }
  });
export type AddUserInput = z.input<typeof AddUserInput>;

export interface AddUserResult {
  userId: string;
  token: string;
}

export async function addUser({ ctx, input }: { ctx: Ctx; input: AddUserInput }): Promise<AddUserResult> {
  const parsed = AddUserInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationFailed('Ungültige Angaben für den Benutzer', issuesOf(parsed.error));
  }
  const v = parsed.data;
  return withTransaction(ctx, async (tx) => {
    if (v.branchId !== null) {
      const [branch] = await tx.db.select({ id: branches.id }).from(branches).where(eq(branches.id, v.branchId));
      if (!branch) throw new ValidationFailed(`Zweigstelle ${v.branchId} gibt es nicht`);
    }
    const [existing] = await tx.db.select({ id: users.id }).from(users).where(eq(users.email, v.email));
    if (existing) throw new Conflict(`Benutzer ${v.email} existiert bereits`);
    const [user] = await tx.db
      .insert(users)
      .values({
        email: v.email,
        role: v.role,
        branchId: v.branchId,
        employerId: v.employerId,
        displayName: v.displayName ?? v.email,
      })
      .returning({ id: users.id });
    const token = v.token ?? generateToken();
    await tx.db.insert(apiTokens).values({ userId: user!.id, tokenHash: hashToken(token) });
    return { userId: user!.id, token };
  });
}
