/**
 * Reading the audit trail (admins only): by object, by actor and by time, newest first, page by page. The trail
 * names who read which customer, so reading it is itself a read of social data and leaves an entry of its own.
 *
 * "Newest first" is the order in which entries were written (their id): a page boundary then is one id, exact and
 * stable while new entries arrive, and the primary key serves the order without a sort.
 */
import { and, desc, eq, gte, isNull, lt, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { auditedRead } from '../customers/audited-read.ts';
import { auditLog } from '../db/schema.ts';
import { isRowId } from '../domain/ids.ts';
import { Forbidden, issuesOf, ValidationFailed } from '../errors.ts';
import type { Actor } from './record.ts';

/** Why the trail is read; recorded with every query. */
export const QUERY_PURPOSE = 'data_protection_control';

export const MAX_AUDIT_PAGE = 500;
export const DEFAULT_AUDIT_PAGE = 100;

const INSTANT_MESSAGE = 'Erwartet: Zeitpunkt nach ISO 8601 mit Zeitzone (z. B. 2026-10-01T08:00:00+02:00) oder Datum';
/** An ISO date-time with offset, or a day (YYYY-MM-DD, read as UTC midnight). */
export const AuditInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: INSTANT_MESSAGE });

const CURSOR_PREFIX = 'id:';

/** The cursor handed out with a page: opaque to clients, the id of the page's last entry inside. */
export function encodeCursor(id: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^id:(\d{1,15})$/.exec(text);
  return match ? Number(match[1]) : null;
}

const Text = z.string().trim().min(1).max(100);

export const QueryAuditInput = z
  .object({
    objectType: Text.optional(),
    objectId: Text.optional(),
    /** A user id, or the login of an operator who acted through the command line. */
    actor: Text.optional(),
    /** Entries at or after (inclusive). */
    from: AuditInstant.transform((v) => new Date(v)).optional(),
    /** Entries before (exclusive). */
    to: AuditInstant.transform((v) => new Date(v)).optional(),
    limit: z.number().int().min(1).max(MAX_AUDIT_PAGE).default(DEFAULT_AUDIT_PAGE),
    cursor: z
      .string()
      .max(100)
      .transform((v, issue) => {
        const id = decodeCursor(v);
        if (id === null) {
          issue.addIssue({
            code: 'custom',
            message: 'Ungültiger Cursor: bitte next_cursor der vorigen Seite verwenden',
          });
          return z.NEVER;
        }
        return id;
      })
      .optional(),
  })
  .refine((v) => !v.from || !v.to || v.from < v.to, { message: '"from" muss vor "to" liegen', path: ['from'] });
export type QueryAuditInput = z.input<typeof QueryAuditInput>;

export interface AuditRow {
  id: number;
  at: Date;
  actorUserId: string | null;
  actorRole: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  purpose: string | null;
  detail: Record<string, unknown>;
}

export interface AuditPage {
  items: AuditRow[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

function conditions(v: z.output<typeof QueryAuditInput>): SQL[] {
  const where: SQL[] = [];
  if (v.objectType !== undefined) where.push(eq(auditLog.objectType, v.objectType));
  if (v.objectId !== undefined) where.push(eq(auditLog.objectId, v.objectId));
  if (v.actor !== undefined) {
    // Command-line rows carry no user id but the operator's login (src/audit/record.ts).
    where.push(
      isRowId(v.actor)
        ? eq(auditLog.actorUserId, v.actor)
        : and(isNull(auditLog.actorUserId), sql`${auditLog.detail}->>'osUser' = ${v.actor}`)!,
    );
  }
  if (v.from) where.push(gte(auditLog.at, v.from));
  if (v.to) where.push(lt(auditLog.at, v.to));
  if (v.cursor !== undefined) where.push(lt(auditLog.id, v.cursor));
  return where;
}

export async function queryAuditLog({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: QueryAuditInput;
}): Promise<AuditPage> {
  const parsed = QueryAuditInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Parameter', issuesOf(parsed.error));
  const v = parsed.data;
  const filter = {
    objectType: v.objectType ?? null,
    objectId: v.objectId ?? null,
    actor: v.actor ?? null,
    from: v.from?.toISOString() ?? null,
    to: v.to?.toISOString() ?? null,
  };
  return auditedRead(
    ctx,
    { actor, action: 'audit_log.query', objectType: 'audit_log', purpose: QUERY_PURPOSE, detail: { filter } },
    async () => {
      if (actor.role !== 'admin') throw new Forbidden('Das Prüfprotokoll ist der Administration vorbehalten');
      const rows = await ctx.db
        .select()
        .from(auditLog)
        .where(and(...conditions(v)))
        .orderBy(desc(auditLog.id))
        .limit(v.limit + 1);
      const items = rows.slice(0, v.limit);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > v.limit && last ? encodeCursor(last.id) : null };
    },
    (page) => ({ returned: page.items.length, more: page.nextCursor !== null }),
  );
}
