/**
 * The matcher of one process: the engine's indexes, loaded from the DB and kept fresh by following topic `match` of
 * the outbox.
 *
 * One read syncs once. The ranking methods take no context: they rank on the indexes as they stand and cannot catch
 * up with the outbox or read the DB. Each read calls `sync` once at its start and then ranks as often as it needs
 * (match-lists.ts, rematch.ts); `whyNot`, a read on its own, syncs itself.
 */
import type { Ctx } from '../../src/context.ts';
import { CUSTOMERS_DELETED_SIGNAL } from '../../src/customers/retention.ts';
import type { MatchProfile } from '../../src/domain/customer.ts';
import type { ProfileGroup } from '../../src/domain/enums.ts';
import { memoryCursor } from '../../src/outbox/cursor.ts';
import { followOutbox, type OutboxFollower } from '../../src/outbox/follow.ts';
import { outboxHead } from '../../src/outbox/read-log.ts';
import { type CapSkip, customerCapNote, vacancyCapNote } from '../engine/caps.ts';
import { CustomerIndex, rankCustomersForVacancy, whyNotCustomer } from '../engine/customer-index.ts';
import { CUSTOMER_VIEW, eligibilityReasons } from '../engine/eligibility.ts';
import type { ProposalState } from '../engine/proposals.ts';
import type { RankOptions } from '../engine/rank.ts';
import type { Exclusion, MatchResult, MatchVacancy, Reason } from '../engine/types.ts';
import { rankVacanciesForCustomer, VacancyIndex } from '../engine/vacancy-index.ts';
import { CAPS } from '../engine/weights.ts';
import { loadAllProfiles, loadAllVacancies, loadMatchableCustomerIds, loadProfiles, loadVacancies } from './load.ts';
import { pairProposalState } from './proposal-state.ts';

/** A customer in a vacancy's list, with the profile group so readers can hold back the activation profile. */
export interface CandidateResult extends MatchResult {
  profileGroup: ProfileGroup;
}

export interface RankedList<T extends MatchResult> {
  results: T[];
  skipped: CapSkip[];
  capNote: string | null;
  excludedCount: number;
}

export interface CandidateQuery {
  limit: number;
  includeActivation: boolean;
  now: Date;
  /** Only customers of this branch (a caseworker's view); null or absent: all branches. */
  branchId?: number | null;
  /** Caps and existing pairs; NO_PROPOSALS for stored lists, which get them applied when read. */
  proposals: ProposalState;
}

export interface VacancyQuery {
  limit: number;
  now: Date;
  proposals: ProposalState;
}

export class MatchService {
  readonly customers = new CustomerIndex();
  readonly vacancies = new VacancyIndex();
  /** The same profiles per branch, so a caseworker's list is the exact top list of their branch. */
  private readonly byBranch = new Map<number, CustomerIndex>();
  private readonly follower: OutboxFollower;

  private constructor(head: number) {
    this.follower = followOutbox({
      topic: 'match',
      cursor: memoryCursor(head),
      apply: async (ctx, rows) => {
        const ids = (type: 'vacancy' | 'customer') => [
          ...new Set(rows.filter((r) => r.aggregateType === type).map((r) => r.aggregateId)),
        ];
        const customerIds = ids('customer');
        // A deletion names nobody in the log (src/customers/retention.ts): whoever is gone from the table goes here.
        if (customerIds.includes(CUSTOMERS_DELETED_SIGNAL)) await this.forgetDeleted(ctx);
        await this.refresh(
          ctx,
          'customer',
          customerIds.filter((id) => id !== CUSTOMERS_DELETED_SIGNAL),
        );
        await this.refresh(ctx, 'vacancy', ids('vacancy'));
      },
    });
  }

  /** Reads the log head first: changes made during the load are replayed by the next sync (idempotent). */
  static async load(ctx: Ctx): Promise<MatchService> {
    const service = new MatchService(await outboxHead(ctx));
    for await (const page of loadAllProfiles(ctx)) for (const p of page) service.upsertCustomer(p);
    for await (const page of loadAllVacancies(ctx)) for (const v of page) service.vacancies.upsert(v);
    return service;
  }

  /** Catches up with the outbox (see src/outbox/follow.ts); returns the rows applied. Once per read. */
  sync(ctx: Ctx): Promise<number> {
    return this.follower.sync(ctx);
  }

  /**
   * Re-reads the named entities: present and usable ones are upserted, all others removed. Pass only committed
   * data: a context inside a transaction that may still roll back would leave the indexes ahead of the DB.
   */
  async refresh(ctx: Ctx, type: 'vacancy' | 'customer', ids: readonly string[]): Promise<void> {
    if (type === 'customer') {
      const found = await loadProfiles(ctx, ids);
      for (const id of ids) {
        const profile = found.get(id);
        if (profile) this.upsertCustomer(profile);
        else this.removeCustomer(id);
      }
      return;
    }
    const found = await loadVacancies(ctx, ids);
    for (const id of ids) {
      const vacancy = found.get(id);
      if (vacancy) this.vacancies.upsert(vacancy);
      else this.vacancies.remove(id);
    }
  }

  /** Drops every customer no longer in the table (or restricted) from the indexes. Pass only committed data. */
  async forgetDeleted(ctx: Ctx): Promise<void> {
    const present = await loadMatchableCustomerIds(ctx);
    for (const id of [...this.customers.slots.byId.keys()]) if (!present.has(id)) this.removeCustomer(id);
  }

  /** Ranked customers for an open, matchable vacancy (which need not be in the index). */
  rankCustomers(vacancy: MatchVacancy, query: CandidateQuery): RankedList<CandidateResult> {
    const index = query.branchId == null ? this.customers : this.byBranch.get(query.branchId);
    const opts: RankOptions = {
      limit: query.limit,
      includeActivation: query.includeActivation,
      now: query.now,
      openProposals: query.proposals,
      existingProposals: query.proposals.existing,
    };
    const out = rankCustomersForVacancy(index ?? new CustomerIndex(), vacancy, opts);
    return {
      results: out.results.map((r) => ({
        ...r,
        profileGroup: (this.customers.get(r.customerId) as MatchProfile).profileGroup,
      })),
      skipped: out.skipped,
      capNote: out.capNote ?? null,
      excludedCount: out.excludedCount,
    };
  }

  /** Ranked open vacancies for a customer (who need not be in the index), with the customer view's eligibility. */
  rankVacancies(profile: MatchProfile, query: VacancyQuery): RankedList<MatchResult> & { ineligible: Reason[] } {
    const opts: RankOptions = {
      ...CUSTOMER_VIEW,
      limit: query.limit,
      now: query.now,
      openProposals: query.proposals,
      existingProposals: query.proposals.existing,
    };
    const out = rankVacanciesForCustomer(this.vacancies, profile, opts);
    return {
      results: out.results,
      skipped: out.skipped,
      capNote: out.capNote ?? null,
      excludedCount: out.excludedCount,
      ineligible: eligibilityReasons(profile, opts).failed,
    };
  }

  /**
   * "Warum nicht?": every failed rule for the pair, caps included. Undefined when the vacancy is not open or the
   * customer is unknown. An empty list means the pair qualifies and only ranks too low. A read of its own: syncs once.
   */
  async whyNot(
    ctx: Ctx,
    vacancyId: string,
    customerId: string,
    query: { includeActivation: boolean; now: Date },
  ): Promise<Exclusion | undefined> {
    await this.sync(ctx);
    const vacancy = this.vacancies.get(vacancyId);
    if (!vacancy) return undefined;
    const state = await pairProposalState(ctx, vacancyId, customerId);
    const exclusion = whyNotCustomer(this.customers, vacancy, customerId, {
      includeActivation: query.includeActivation,
      now: query.now,
      existingProposals: state.existing,
    });
    if (!exclusion) return undefined;
    const caps: Reason[] = [];
    const openVacancy = state.perVacancy.get(vacancyId) ?? 0;
    const openCustomer = state.perCustomer.get(customerId) ?? 0;
    if (openVacancy >= CAPS.perVacancy) caps.push({ code: 'vacancy_cap', text: vacancyCapNote(openVacancy) as string });
    if (openCustomer >= CAPS.perCustomer) {
      caps.push({ code: 'customer_cap', text: customerCapNote(openCustomer) as string });
    }
    return { id: exclusion.id, failed: [...exclusion.failed, ...caps] };
  }

  private upsertCustomer(profile: MatchProfile): void {
    const previous = this.customers.get(profile.id);
    if (previous && previous.branchId !== profile.branchId) this.byBranch.get(previous.branchId)?.remove(profile.id);
    this.customers.upsert(profile);
    let branch = this.byBranch.get(profile.branchId);
    if (!branch) {
      branch = new CustomerIndex();
      this.byBranch.set(profile.branchId, branch);
    }
    branch.upsert(profile);
  }

  private removeCustomer(id: string): void {
    const previous = this.customers.get(id);
    if (!previous) return;
    this.customers.remove(id);
    this.byBranch.get(previous.branchId)?.remove(id);
  }
}
