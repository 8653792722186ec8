/**
 * The subject-access export (Art. 15 GDPR, § 83 SGB X): everything the service holds about one customer, as one JSON
 * document, for the data-protection officer to answer a request. The same document comes out of the CLI
 * (`jobbruecke customers export`) and the API (`GET /api/v1/customers/{id}/export`).
 *
 * It is the person's own data, so it holds the whole record, protected attributes included, which no other view
 * shows. It holds nobody else's: audit entries keep only the ids that belong to this person (a list read names the
 * other customers it showed), staff appear by role, and notifications without their recipient.
 *
 * Only admins export, with purpose 'subject_access'; the export is audited whatever its outcome.
 */
import { and, asc, eq, getTableColumns, inArray, or, sql } from 'drizzle-orm';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { auditLog, customers, matches, notifications, proposals, tasks, vacancies } from '../db/schema.ts';
import { isRowId } from '../domain/ids.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { auditedRead } from './audited-read.ts';

export const SUBJECT_ACCESS_FORMAT = 'jobbruecke.subject-access/1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The document, snake_case as the API speaks; every section is present, empty when nothing is held. */
export interface SubjectAccessDocument {
  format: typeof SUBJECT_ACCESS_FORMAT;
  exported_at: string;
  customer_id: string;
  /** The whole customer record, protected attributes and restriction included. */
  customer: JsonObject;
  /** Proposals of the person to employers, each with a reference to the vacancy. */
  proposals: JsonObject[];
  /** The person's stored match list (their best vacancies), or null when none is stored. */
  match_list: JsonObject | null;
  /** Where the person stands in vacancies' stored lists of candidates. */
  vacancy_lists: JsonObject[];
  /** Every audit entry about the person: reads, changes, proposals, refusals. */
  audit_entries: JsonObject[];
  /** Tasks of the staff that concern the person's proposals (reminders, follow-ups after a hire). */
  tasks: JsonObject[];
  /** Notifications that name the person or one of their proposals. */
  notifications: JsonObject[];
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), toJson(v)]));
  }
  return value as Json;
}

/** Lists of ids in an audit entry name other people too (a list read names everyone shown): only this person's stay. */
function ownIdsOnly(detail: Record<string, unknown>, own: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(detail).map(([k, v]) => [
      k,
      Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.filter((x) => own.has(x)) : v,
    ]),
  );
}

const mentions = (column: unknown, id: string) => sql`${column}::text like ${`%${id}%`}`;

async function collect(ctx: Ctx, id: string): Promise<SubjectAccessDocument> {
  const [customer] = await ctx.db.select().from(customers).where(eq(customers.id, id));
  if (!customer) throw new NotFound('Kunde', id);

  const proposalRows = await ctx.db
    .select({
      ...getTableColumns(proposals),
      vacancy: {
        id: vacancies.id,
        referenceNumber: vacancies.referenceNumber,
        title: vacancies.title,
        employerName: vacancies.employerName,
        status: vacancies.status,
      },
    })
    .from(proposals)
    .leftJoin(vacancies, eq(vacancies.id, proposals.vacancyId))
    .where(eq(proposals.customerId, id))
    .orderBy(asc(proposals.createdAt), asc(proposals.id));
  const proposalIds = proposalRows.map((p) => p.id);
  const own = new Set([id, ...proposalIds]);

  const [stored] = await ctx.db
    .select({ results: matches.results, computedAt: matches.computedAt, excludedCount: matches.excludedCount })
    .from(matches)
    .where(and(eq(matches.subjectType, 'customer'), eq(matches.subjectId, id)));
  const vacancyLists = await ctx.db
    .select({ vacancyId: matches.subjectId, results: matches.results, computedAt: matches.computedAt })
    .from(matches)
    .where(
      and(
        eq(matches.subjectType, 'vacancy'),
        sql`${matches.results} @> ${JSON.stringify([{ customerId: id }])}::jsonb`,
      ),
    );

  const audits = await ctx.db
    .select({
      at: auditLog.at,
      action: auditLog.action,
      objectType: auditLog.objectType,
      objectId: auditLog.objectId,
      purpose: auditLog.purpose,
      actorRole: auditLog.actorRole,
      detail: auditLog.detail,
    })
    .from(auditLog)
    .where(
      or(
        eq(auditLog.objectId, id),
        mentions(auditLog.detail, id),
        proposalIds.length > 0
          ? and(eq(auditLog.objectType, 'proposal'), inArray(auditLog.objectId, proposalIds))
          : undefined,
      ),
    )
    .orderBy(asc(auditLog.id));

  const taskRows =
    proposalIds.length === 0
      ? []
      : await ctx.db
          .select({
            id: tasks.id,
            kind: tasks.kind,
            proposalId: tasks.proposalId,
            vacancyId: tasks.vacancyId,
            dueAt: tasks.dueAt,
            createdAt: tasks.createdAt,
            doneAt: tasks.doneAt,
            note: tasks.note,
            detail: tasks.detail,
          })
          .from(tasks)
          .where(inArray(tasks.proposalId, proposalIds))
          .orderBy(asc(tasks.dueAt), asc(tasks.id));

  const notificationRows = await ctx.db
    .select({
      id: notifications.id,
      template: notifications.template,
      vacancyId: notifications.vacancyId,
      createdAt: notifications.createdAt,
      status: notifications.status,
      payload: notifications.payload,
    })
    .from(notifications)
    .where(
      or(
        ...[...own].flatMap((ownId) => [
          mentions(notifications.payload, ownId),
          mentions(notifications.dedupeKey, ownId),
        ]),
      ),
    )
    .orderBy(asc(notifications.createdAt), asc(notifications.id));

  const rank = (results: unknown[]) => results.findIndex((r) => (r as { customerId?: string }).customerId === id);
  return {
    format: SUBJECT_ACCESS_FORMAT,
    exported_at: ctx.now().toISOString(),
    customer_id: id,
    customer: toJson(customer) as JsonObject,
    proposals: proposalRows.map((p) => toJson(p) as JsonObject),
    match_list: stored
      ? (toJson({
          computedAt: stored.computedAt,
          excludedCount: stored.excludedCount,
          results: (stored.results as Array<{ vacancyId: string; score: number }>).map((r, i) => ({
            rank: i + 1,
            vacancyId: r.vacancyId,
            score: r.score,
          })),
        }) as JsonObject)
      : null,
    vacancy_lists: vacancyLists.map((l) => {
      const at = rank(l.results);
      const entry = l.results[at] as { score?: number } | undefined;
      return toJson({ vacancyId: l.vacancyId, rank: at + 1, score: entry?.score ?? null, computedAt: l.computedAt });
    }) as JsonObject[],
    audit_entries: audits.map((a) => toJson({ ...a, detail: ownIdsOnly(a.detail, own) }) as JsonObject),
    tasks: taskRows.map((t) => toJson(t) as JsonObject),
    notifications: notificationRows.map((n) => toJson(n) as JsonObject),
  };
}

/** Everything held about one customer, for an admin answering a subject-access request; 404 for an unknown id. */
export async function exportCustomerData(ctx: Ctx, actor: Actor, id: string): Promise<SubjectAccessDocument> {
  return auditedRead(
    ctx,
    { actor, action: 'customer.export', objectType: 'customer', objectId: id, purpose: 'subject_access' },
    async () => {
      if (actor.role !== 'admin') {
        throw new Forbidden('Auskünfte nach Art. 15 DSGVO erstellen nur Admins (Datenschutz)');
      }
      if (!isRowId(id)) throw new NotFound('Kunde', id);
      return collect(ctx, id);
    },
    (doc) => ({
      proposals: doc.proposals.length,
      auditEntries: doc.audit_entries.length,
      tasks: doc.tasks.length,
      notifications: doc.notifications.length,
    }),
  );
}
