import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../context.ts';
import { bulkInsert } from '../../db/bulk-insert.ts';
import { vacancies, vacancyDedupeKeys, vacancyEvents, vacancySources } from '../../db/schema.ts';
import { type OutboxRow, vacancyChanged } from '../../outbox/append.ts';
import { findDuplicates } from './find-duplicates.ts';
import type { FreshPosting } from './postings.ts';
import type { IngestStats } from './stats.ts';

/**
 * New postings of a source: each one either links to the open vacancy of another source it duplicates or becomes a
 * vacancy of its own (closed at once if already expired). Written in bulk, one statement per table.
 */
export async function insertNew(
  tx: Ctx,
  log: OutboxRow[],
  sourceId: string,
  fresh: FreshPosting[],
  stats: IngestStats,
): Promise<void> {
  const now = tx.now();
  const duplicates = await findDuplicates(tx, sourceId, fresh);
  const newVacancies: Array<typeof vacancies.$inferInsert> = [];
  const links: Array<typeof vacancySources.$inferInsert> = [];
  const events: Array<typeof vacancyEvents.$inferInsert> = [];
  const newKeys: Array<typeof vacancyDedupeKeys.$inferInsert> = [];
  for (const f of fresh) {
    const { raw } = f;
    const link = {
      sourceId,
      externalId: raw.externalId,
      url: raw.url ?? null,
      originUrl: raw.originUrl ?? null,
      contentHash: f.contentHash,
      firstSeenAt: now,
      lastSeenAt: now,
    };
    const duplicateOf = duplicates.get(raw.externalId);
    if (duplicateOf) {
      links.push({ ...link, vacancyId: duplicateOf });
      events.push({
        vacancyId: duplicateOf,
        kind: 'linked',
        at: now,
        detail: { sourceId, externalId: raw.externalId },
      });
      stats.duplicates += 1;
      continue;
    }
    const id = randomUUID();
    newVacancies.push({
      id,
      ...f.normalised,
      status: f.expired ? 'closed' : 'open',
      closedAt: f.expired ? now : null,
      closeReason: f.expired ? 'expired' : null,
      contentHash: f.contentHash,
      createdAt: now,
      updatedAt: now,
    });
    links.push({ ...link, vacancyId: id });
    for (const key of f.keys) newKeys.push({ key, vacancyId: id });
    if (f.expired) {
      stats.closed += 1;
      events.push({ vacancyId: id, kind: 'closed', at: now, detail: { reason: 'expired', sourceId } });
    } else {
      stats.new += 1;
      events.push({ vacancyId: id, kind: 'opened', at: now, detail: { sourceId, externalId: raw.externalId } });
      log.push(...vacancyChanged(id));
    }
  }
  await bulkInsert(tx.db, vacancies, newVacancies);
  await bulkInsert(tx.db, vacancyDedupeKeys, newKeys);
  await bulkInsert(tx.db, vacancySources, links);
  await bulkInsert(tx.db, vacancyEvents, events);
}
