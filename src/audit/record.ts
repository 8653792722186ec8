/** The audit trail (§ 67c SGB X): who read or changed what, when, and for which purpose. */
import type { Ctx } from '../context.ts';
import { auditLog } from '../db/schema.ts';
import type { Role } from '../domain/enums.ts';
import { storableText } from '../ingest/text.ts';

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

/** Object ids come from request paths; the trail keeps enough of one to recognise it. */
const MAX_OBJECT_ID = 100;
const MAX_DETAIL_TEXT = 1_000;

/**
 * Text in a row as the database can store it: caller-supplied ids and parameters may carry NUL (refused by text and
 * jsonb columns) or broken surrogates (refused by jsonb), and a failed insert would fail the request it records.
 */
function storable(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value, MAX_DETAIL_TEXT);
  if (Array.isArray(value)) return value.map(storable);
  // Plain objects only: a Date (or anything else JSON serialises itself) stays as it is.
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k, 100), storable(v)]));
  }
  return value;
}

export async function recordAudit(ctx: Ctx, entry: AuditEntry): Promise<void> {
  const operator = entry.actor?.operator;
  const detail = operator ? { ...entry.detail, actor: 'cli', osUser: operator } : (entry.detail ?? {});
  await ctx.db.insert(auditLog).values({
    at: ctx.now(),
    actorUserId: operator ? null : (entry.actor?.userId ?? null),
    actorRole: entry.actor?.role ?? null,
    action: entry.action,
    objectType: entry.objectType,
    objectId: entry.objectId === undefined ? null : storableText(entry.objectId, MAX_OBJECT_ID),
    purpose: entry.purpose ?? null,
    detail: storable(detail) as Record<string, unknown>,
  });
}

/**
 * Records a refused request (no or unknown token, a role that may not call the route). Unlike a read of social data,
 * which must fail when it leaves no trace, a refusal has served nothing: a failed insert is logged, and the caller
 * still gets the refusal, not a 500.
 */
export async function recordRefusal(ctx: Ctx, entry: Omit<AuditEntry, 'action'>): Promise<void> {
  try {
    await recordAudit(ctx, { ...entry, action: 'refused' });
  } catch (err) {
    ctx.log.error({ err: (err as Error).message, objectType: entry.objectType }, 'could not record a refusal');
  }
}
