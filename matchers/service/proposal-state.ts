/**
 * What the proposals table says about one subject right now: open proposals on both sides (for the caps) and the
 * pairs that already exist in any status (never suggested again). Read at query time, never cached, because a
 * proposal written a second ago must already count against the cap.
 */
import { and, eq, isNotNull, or, sql } from 'drizzle-orm';
import type { Ctx } from '../../src/context.ts';
import { proposals } from '../../src/db/schema.ts';
import type { ProposalState } from '../engine/proposals.ts';
import { proposalKey } from '../engine/types.ts';

export interface Subject {
  type: 'vacancy' | 'customer';
  id: string;
}

async function openCounts(ctx: Ctx, by: 'vacancy' | 'customer'): Promise<Map<string, number>> {
  const column = by === 'vacancy' ? proposals.vacancyId : proposals.customerId;
  const rows = await ctx.db
    .select({ id: column, n: sql<number>`count(*)::int` })
    .from(proposals)
    .where(and(eq(proposals.status, 'open'), isNotNull(column)))
    .groupBy(column);
  return new Map(rows.flatMap((r) => (r.id === null ? [] : [[r.id, r.n] as const])));
}

export async function proposalState(ctx: Ctx, subject: Subject): Promise<ProposalState> {
  const subjectColumn = subject.type === 'vacancy' ? proposals.vacancyId : proposals.customerId;
  const pairs = await ctx.db
    .select({ customerId: proposals.customerId, vacancyId: proposals.vacancyId, status: proposals.status })
    .from(proposals)
    .where(eq(subjectColumn, subject.id));
  const openHere = pairs.filter((p) => p.status === 'open').length;
  // The other side's counts matter for every candidate, so they are counted over the whole table (it stays small:
  // proposals are written by hand, a few per vacancy).
  const other = await openCounts(ctx, subject.type === 'vacancy' ? 'customer' : 'vacancy');
  const own = new Map([[subject.id, openHere]]);
  return {
    perVacancy: subject.type === 'vacancy' ? own : other,
    perCustomer: subject.type === 'customer' ? own : other,
    existing: new Set(pairs.flatMap((p) => (p.customerId === null ? [] : [proposalKey(p.customerId, p.vacancyId)]))),
  };
}

/** Proposals of one pair, for "warum nicht?". */
export async function pairProposalState(ctx: Ctx, vacancyId: string, customerId: string): Promise<ProposalState> {
  const rows = await ctx.db
    .select({ customerId: proposals.customerId, vacancyId: proposals.vacancyId, status: proposals.status })
    .from(proposals)
    .where(or(eq(proposals.vacancyId, vacancyId), eq(proposals.customerId, customerId)));
  const openOf = (pick: (r: (typeof rows)[number]) => boolean) =>
    rows.filter((r) => r.status === 'open' && pick(r)).length;
  return {
    perVacancy: new Map([[vacancyId, openOf((r) => r.vacancyId === vacancyId)]]),
    perCustomer: new Map([[customerId, openOf((r) => r.customerId === customerId)]]),
    existing: new Set(
      rows
        .filter((r) => r.vacancyId === vacancyId && r.customerId === customerId)
        .map(() => proposalKey(customerId, vacancyId)),
    ),
  };
}
