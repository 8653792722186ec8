import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../context.ts';
import { bulkInsert } from '../../db/bulk-insert.ts';
import { vacancies, vacancyDedupeKeys, vacancyEvents, vacancySources } from '../../db/schema.ts';
import { type OutboxRow, vacancyChanged } from '../../outbox/append.ts';
import { findDuplicates } from './find-duplicates.ts';
import { mergeAfterLinks } from './merge-links.ts';
import type { FreshPosting } from './postings.ts';
import type { IngestStats } from './stats.ts';

/**
 * New postings of a source: each one either links to the open vacancy of another source it duplicates (which then
 * shows the linked postings' merged values) or becomes a vacancy of its own (closed at once if already expired or
 * stale). Written in bulk, one statement per table.
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
  const linked: Array<{ vacancyId: string; sourceId: string; externalId: string }> = [];
  for (const f of fresh) {
    const { raw } = f;
    const link = {
      sourceId,
      externalId: raw.externalId,
      url: raw.url ?? null,
      originUrl: raw.originUrl ?? null,
      contentHash: f.contentHash,
      content: f.normalised as unknown as Record<string, unknown>,
      contentChangedAt: now,
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
      linked.push({ vacancyId: duplicateOf, sourceId, externalId: raw.externalId });
      stats.duplicates += 1;
      continue;
    }
    const id = randomUUID();
    const closeReason = f.expired ? 'expired' : f.stale ? 'stale' : null;
    newVacancies.push({
      id,
      ...f.normalised,
      places: f.normalised.places ?? [],
      status: closeReason ? 'closed' : 'open',
      closedAt: closeReason ? now : null,
      closeReason,
      contentHash: f.contentHash,
      createdAt: now,
      updatedAt: now,
    });
    links.push({ ...link, vacancyId: id });
    for (const key of f.keys) newKeys.push({ key, vacancyId: id });
    if (closeReason) {
      stats.closed += 1;
      events.push({ vacancyId: id, kind: 'closed', at: now, detail: { reason: closeReason, sourceId } });
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
  // The linked vacancy may now show a more authoritative or fresher posting's values.
  await mergeAfterLinks(tx, log, linked);
}
