/**
 * Whether a job's payload names a source, batch, vacancy or customer of this installation. Two installations that
 * shared one queue prefix took each other's jobs, found nothing in their own database and completed them, while the
 * owner's batches stayed unprocessed (issue 15). Each installation now has a prefix of its own (queues/backend.ts);
 * this check makes any job that still arrives from elsewhere fail at once, named in the log and kept among the
 * failed jobs, instead of completing quietly. Nothing here is ever deleted except customers (src/customers/
 * retention.ts), so an id missing from the database was never this installation's, unless its deletion is audited.
 */
import { UnrecoverableError } from 'bullmq';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../src/db/client.ts';
import { auditLog, customers, ingestBatches, sources, vacancies } from '../src/db/schema.ts';
import type { JobName, JobPayload } from './jobs.ts';

export type SubjectKind = 'source' | 'batch' | 'vacancy' | 'customer';

/** What a job names; undefined for the jobs that name nothing (index, the periodic ones). */
export interface Subject {
  kind: SubjectKind;
  id: string;
}

/** The subject of a parsed payload of the job `name`. */
export function subjectOf<J extends JobName>(name: J, payload: JobPayload<J>): Subject | undefined {
  const p = payload as Partial<{ sourceId: string; batchId: string; vacancyId: string; kind: string; id: string }>;
  switch (name) {
    case 'crawl':
      return { kind: 'source', id: p.sourceId as string };
    case 'ingest':
      return { kind: 'batch', id: p.batchId as string };
    case 'match':
      return { kind: p.kind === 'customer' ? 'customer' : 'vacancy', id: p.id as string };
    case 'sla-milestone':
      return { kind: 'vacancy', id: p.vacancyId as string };
    default:
      return undefined;
  }
}

/** A job that names something this installation does not know: it will never know it, so it is not retried. */
export class UnknownSubject extends UnrecoverableError {
  constructor(
    readonly job: JobName,
    readonly subject: Subject,
  ) {
    super(
      `${job} job names ${subject.kind} ${subject.id}, which this installation does not know ` +
        '(a job of another installation on the same queue backend?)',
    );
    this.name = 'UnknownSubject';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Which of `ids` this installation knows as `kind`; anything that is not an id is unknown. */
export async function knownIds(db: Db, kind: SubjectKind, ids: readonly string[]): Promise<Set<string>> {
  const candidates = [...new Set(ids.filter((id) => UUID.test(id)))];
  if (candidates.length === 0) return new Set();
  const rows = await idsIn(db, kind, candidates);
  const known = new Set(rows.map((r) => r.id));
  if (kind === 'customer') {
    // A deleted customer was ours: a match job still in flight for them is routine, not a stranger's job.
    const missing = candidates.filter((id) => !known.has(id));
    if (missing.length > 0) {
      const deleted = await db
        .select({ id: auditLog.objectId })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.objectType, 'customer'),
            eq(auditLog.action, 'customer.delete'),
            inArray(auditLog.objectId, missing),
          ),
        );
      for (const row of deleted) if (row.id) known.add(row.id);
    }
  }
  return known;
}

function idsIn(db: Db, kind: SubjectKind, ids: string[]): Promise<Array<{ id: string }>> {
  switch (kind) {
    case 'source':
      return db.select({ id: sources.id }).from(sources).where(inArray(sources.id, ids));
    case 'batch':
      return db.select({ id: ingestBatches.id }).from(ingestBatches).where(inArray(ingestBatches.id, ids));
    case 'vacancy':
      return db.select({ id: vacancies.id }).from(vacancies).where(inArray(vacancies.id, ids));
    case 'customer':
      return db.select({ id: customers.id }).from(customers).where(inArray(customers.id, ids));
  }
}

/** Throws UnknownSubject when the job names something this installation does not know. */
export async function assertKnown<J extends JobName>(db: Db, name: J, payload: JobPayload<J>): Promise<void> {
  const subject = subjectOf(name, payload);
  if (!subject) return;
  if (!(await knownIds(db, subject.kind, [subject.id])).has(subject.id)) throw new UnknownSubject(name, subject);
}
