/**
 * The caseworker's two lists, shared by the API and the CLI: a vacancy's best customers and a customer's best
 * vacancies. The stored list is served when it is fresh and, after today's proposals and the reader's branch are
 * applied, still long enough; otherwise the subject is ranked again (and stored) and, if the page still cannot be
 * filled from the stored list, ranked live for exactly this reader. Callers authorise and audit.
 *
 * Each list syncs the match service once, after reading its subject; storing and live ranking then work on the
 * indexes as they stand, so the stored list's filters and any ranking done for the read see the same state.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../src/context.ts';
import { assertCustomerVisible, RECORD_COLUMNS } from '../../src/customers/access.ts';
import { customers, matches, vacancies } from '../../src/db/schema.ts';
import type { ProfileGroup } from '../../src/domain/enums.ts';
import { isRowId } from '../../src/domain/ids.ts';
import { Conflict, NotFound } from '../../src/errors.ts';
import { VACANCY_REFERENCE_COLUMNS, type VacancyReference } from '../../src/vacancies/vacancy.ts';
import type { CapSkip } from '../engine/caps.ts';
import { CUSTOMER_VIEW, eligibilityReasons, isEligible } from '../engine/eligibility.ts';
import { applyProposals, type ProposalView } from '../engine/proposals.ts';
import type { MatchResult, Reason } from '../engine/types.ts';
import type { CandidateResult, MatchService, RankedList } from './match-service.ts';
import {
  bySubject,
  isFresh,
  refreshStored,
  STORED_LIMIT,
  type StoredList,
  type SubjectRecord,
  storedListColumns,
  storedListOf,
} from './match-store.ts';
import { proposalStateColumn, proposalStateOf } from './proposal-state.ts';

/** What a caseworker needs to recognise a customer in a list; nothing else, never protected attributes. */
export interface CustomerSummary {
  id: string;
  displayName: string;
  profileGroup: ProfileGroup;
  plz: string;
}

interface ListCommon {
  skipped: CapSkip[];
  capNote: string | null;
  excludedCount: number;
  computedAt: Date;
  /** 'stored': served from the stored list; 'computed': ranked for this request. */
  source: 'stored' | 'computed';
}

export interface VacancyMatchList extends ListCommon {
  subject: VacancyReference;
  results: Array<MatchResult & { customer: CustomerSummary }>;
}

export interface CustomerMatchList extends ListCommon {
  subject: CustomerSummary;
  results: Array<MatchResult & { vacancy: VacancyReference }>;
  /** Why this customer gets no suggestions at all (profile group, consent, block); empty when eligible. */
  ineligible: Reason[];
}

function notMatchable(vacancyId: string): Conflict {
  return new Conflict(`Stelle ${vacancyId} ist nicht offen oder noch nicht verschlüsselt; es gibt keine Vorschläge`, {
    vacancyId,
  });
}

type Page = ListCommon & { results: MatchResult[] };

function fromStored(view: ProposalView<MatchResult>, stored: StoredList): Page {
  const { results, skipped, capNote } = view;
  return {
    results,
    skipped,
    capNote,
    excludedCount: stored.excludedCount,
    computedAt: stored.computedAt,
    source: 'stored',
  };
}

function fromLive(live: RankedList<MatchResult>, now: Date): Page {
  const { results, skipped, capNote, excludedCount } = live;
  return { results, skipped, capNote, excludedCount, computedAt: now, source: 'computed' };
}

async function freshOrRefreshed(
  ctx: Ctx,
  service: MatchService,
  subject: SubjectRecord,
  stored: StoredList | undefined,
  changedAt: Date,
): Promise<StoredList | undefined> {
  if (isFresh(stored, changedAt, ctx.now())) return stored;
  return refreshStored(ctx, service, subject);
}

export async function vacancyMatchList(
  ctx: Ctx,
  service: MatchService,
  vacancyId: string,
  opts: { limit: number; includeActivation: boolean; branchId: number | null },
): Promise<VacancyMatchList> {
  // A malformed id is an unknown one; checked here so the uuid column never sees it.
  if (!isRowId(vacancyId)) throw new NotFound('Stelle', vacancyId);
  const subjectRef = { type: 'vacancy' as const, id: vacancyId };
  // The vacancy, its stored list and the proposal state in one statement (a round trip costs about a millisecond on
  // the embedded database); read before the sync, so the index is at least as new as the vacancy row read here.
  const { known, columns } = storedListColumns(subjectRef, service.parsedLists);
  const [row] = await ctx.db
    .select({
      ...VACANCY_REFERENCE_COLUMNS,
      updatedAt: vacancies.updatedAt,
      ...columns,
      proposals: proposalStateColumn(subjectRef),
    })
    .from(vacancies)
    .leftJoin(matches, bySubject(subjectRef))
    .where(eq(vacancies.id, vacancyId));
  if (!row) throw new NotFound('Stelle', vacancyId);
  const { updatedAt, storedResults, storedExcludedCount, storedAt, proposals, ...subject } = row;
  const now = ctx.now();
  // The read's one sync. The stored list is filtered through the index's view of each customer, so a customer who
  // moved branch or withdrew consent a moment ago is not shown.
  await service.sync(ctx);
  const matchable = service.vacancies.get(vacancyId);
  // Closed, or not coded yet: whatever list was stored before is history now, not a proposal.
  if (!matchable) throw notMatchable(vacancyId);
  const stored = await freshOrRefreshed(
    ctx,
    service,
    { ...subjectRef, record: matchable },
    storedListOf(subjectRef, service.parsedLists, known, { storedResults, storedExcludedCount, storedAt }, now),
    updatedAt,
  );
  if (!stored) throw notMatchable(vacancyId);

  // The stored list spans all branches and includes the activation profile; the index knows today's branch and
  // eligibility of each listed customer.
  const visible = (stored.results as CandidateResult[]).filter((r) => {
    const profile = service.customers.get(r.customerId);
    return (
      profile !== undefined &&
      (opts.branchId === null || profile.branchId === opts.branchId) &&
      isEligible(profile, { includeActivation: opts.includeActivation, now })
    );
  });
  const state = proposalStateOf(subjectRef, proposals);
  const exhaustive = stored.results.length < STORED_LIMIT;
  const view = applyProposals(visible, subjectRef, state, opts.limit, exhaustive);
  let list = fromStored(view, stored);
  if (!view.complete) {
    if (!matchable) throw notMatchable(vacancyId);
    list = fromLive(service.rankCustomers(matchable, { ...opts, now, proposals: state }), now);
  }

  const ids = list.results.map((r) => r.customerId);
  const rows = ids.length
    ? await ctx.db
        .select({
          id: customers.id,
          displayName: customers.displayName,
          profileGroup: customers.profileGroup,
          plz: customers.plz,
          branchId: customers.branchId,
          consent: customers.consent,
          restrictedAt: customers.restrictedAt,
        })
        .from(customers)
        .where(inArray(customers.id, ids))
    : [];
  // Checked again on the rows just read, so a reader never sees a customer outside their branch, without consent or
  // restricted, even while another process's index still holds them.
  const byId = new Map(
    rows
      .filter((r) => r.consent && r.restrictedAt === null && (opts.branchId === null || r.branchId === opts.branchId))
      .map(({ branchId: _branch, consent: _consent, restrictedAt: _restricted, ...r }) => [r.id, r]),
  );
  return {
    ...list,
    subject,
    results: list.results.flatMap((r) => {
      const customer = byId.get(r.customerId);
      return customer ? [{ ...r, customer }] : [];
    }),
  };
}

/**
 * The customer's best vacancies, for a reader limited to `branchId` (null: all branches): 404 for an unknown customer,
 * 403 for one of another branch, as `getCustomerForActor` answers; the caller audits the read.
 */
export async function customerMatchList(
  ctx: Ctx,
  service: MatchService,
  customerId: string,
  opts: { limit: number; branchId: number | null },
): Promise<CustomerMatchList> {
  const subjectRef = { type: 'customer' as const, id: customerId };
  // The record, its stored list and the proposal state in one statement, read before the sync like a vacancy's.
  const { known, columns } = storedListColumns(subjectRef, service.parsedLists);
  const [row] = isRowId(customerId)
    ? await ctx.db
        .select({ ...RECORD_COLUMNS, ...columns, proposals: proposalStateColumn(subjectRef) })
        .from(customers)
        .leftJoin(matches, bySubject(subjectRef))
        .where(eq(customers.id, customerId))
    : [];
  assertCustomerVisible(row, customerId, opts.branchId);
  const { storedResults, storedExcludedCount, storedAt, proposals, ...customer } = row;
  if (customer.restrictedAt !== null) {
    throw new Conflict(
      'Die Verarbeitung ist für diese Person eingeschränkt (Art. 18 DSGVO): keine Vorschläge, bis die Einschränkung aufgehoben ist',
      { restricted: true },
    );
  }
  const now = ctx.now();
  await service.sync(ctx); // the read's one sync
  const profile = service.customers.get(customerId);
  const stored = await freshOrRefreshed(
    ctx,
    service,
    { ...subjectRef, record: profile },
    storedListOf(subjectRef, service.parsedLists, known, { storedResults, storedExcludedCount, storedAt }, now),
    customer.updatedAt,
  );
  // The record exists, so a missing profile is an incomplete one, not an unknown person.
  if (!stored || !profile) {
    throw new Conflict('Das Profil ist für den Abgleich unvollständig (z. B. kein Zielberuf oder keine Postleitzahl)');
  }

  const open = stored.results.filter((r) => service.vacancies.get(r.vacancyId) !== undefined);
  const state = proposalStateOf(subjectRef, proposals);
  const view = applyProposals(open, subjectRef, state, opts.limit, stored.results.length < STORED_LIMIT);
  let list = fromStored(view, stored);
  if (!view.complete)
    list = fromLive(service.rankVacancies(profile, { limit: opts.limit, now, proposals: state }), now);

  const ids = list.results.map((r) => r.vacancyId);
  const rows = ids.length
    ? await ctx.db.select(VACANCY_REFERENCE_COLUMNS).from(vacancies).where(inArray(vacancies.id, ids))
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    ...list,
    subject: {
      id: customer.id,
      displayName: customer.displayName,
      profileGroup: customer.profileGroup,
      plz: customer.plz,
    },
    results: list.results.flatMap((r) => {
      const vacancy = byId.get(r.vacancyId);
      return vacancy ? [{ ...r, vacancy }] : [];
    }),
    ineligible: eligibilityReasons(profile, { ...CUSTOMER_VIEW, now }).failed,
  };
}
