/**
 * What the proposals table says about one subject right now: open proposals on both sides (for the caps) and the
 * pairs that already exist in any status (never suggested again). Read at query time, never cached, because a
 * proposal written a second ago must already count against the cap.
 */
import { eq, or, sql } from 'drizzle-orm';
import type { Ctx } from '../../src/context.ts';
import { proposals } from '../../src/db/schema.ts';
import type { ProposalState } from '../engine/proposals.ts';
import { proposalKey } from '../engine/types.ts';

export interface Subject {
  type: 'vacancy' | 'customer';
  id: string;
}

export type StateRow = {
  customer_id: string | null;
  vacancy_id: string | null;
  status: string | null;
  /** Set on the count rows only: open proposals of `other_id`. */
  open_count: number | null;
  other_id: string | null;
};

/**
 * Both parts as one JSON column, for the statement that reads a list's subject and stored list (each round trip
 * costs, on the embedded database a millisecond): the subject's own pairs in any status, then the other side's open
 * counts over the whole table (it stays small: proposals are written by hand, a few per vacancy).
 */
export function proposalStateColumn(subject: Subject) {
  const own = subject.type === 'vacancy' ? proposals.vacancyId : proposals.customerId;
  const other = subject.type === 'vacancy' ? proposals.customerId : proposals.vacancyId;
  return sql<StateRow[]>`(select coalesce(json_agg(s), '[]'::json) from (
    select ${proposals.customerId}::text as customer_id, ${proposals.vacancyId}::text as vacancy_id,
      ${proposals.status} as status, null::int as open_count, null::text as other_id
    from ${proposals} where ${own} = ${subject.id}
    union all
    select null, null, null, count(*)::int, ${other}::text
    from ${proposals} where ${proposals.status} = 'open' and ${other} is not null group by ${other}) s)`;
}

/** The state from the rows of `proposalStateColumn`. */
export function proposalStateOf(subject: Subject, rows: StateRow[]): ProposalState {
  const pairs = rows.filter((r) => r.open_count === null);
  const openHere = pairs.filter((p) => p.status === 'open').length;
  const counts = new Map(
    rows.flatMap((r) => (r.open_count === null ? [] : [[r.other_id as string, r.open_count] as const])),
  );
  const ownCount = new Map([[subject.id, openHere]]);
  return {
    perVacancy: subject.type === 'vacancy' ? ownCount : counts,
    perCustomer: subject.type === 'customer' ? ownCount : counts,
    existing: new Set(
      pairs.flatMap((p) => (p.customer_id === null ? [] : [proposalKey(p.customer_id, p.vacancy_id as string)])),
    ),
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
