/** The audit trail (§ 67c SGB X): who read or changed what, when, and for which purpose. */
import type { Ctx } from '../context.ts';
import { auditLog } from '../db/schema.ts';
import type { Role } from '../domain/enums.ts';

export interface Actor {
  userId: string;
  role: Role;
  branchId: number | null;
  employerId: string | null;
  /**
   * Set when the command line acts: it has no user account, so the row names the login of whoever ran the command
   * (as `jobbruecke match` records it) instead of a user id.
   */
  operator?: string;
}

export interface AuditEntry {
  actor: Actor | null;
  action: string;
  objectType: string;
  objectId?: string;
  purpose?: string;
  detail?: Record<string, unknown>;
}

export async function recordAudit(ctx: Ctx, entry: AuditEntry): Promise<void> {
  const operator = entry.actor?.operator;
  await ctx.db.insert(auditLog).values({
    at: ctx.now(),
    actorUserId: operator ? null : (entry.actor?.userId ?? null),
    actorRole: entry.actor?.role ?? null,
    action: entry.action,
    objectType: entry.objectType,
    objectId: entry.objectId ?? null,
    purpose: entry.purpose ?? null,
    detail: operator ? { ...entry.detail, actor: 'cli', osUser: operator } : (entry.detail ?? {}),
  });
}
