import type { Ctx } from '../src/context.ts';
import type { MatchProfile } from '../src/domain/customer.ts';
import type { ProfileGroup } from '../src/domain/enums.ts';
import { memoryCursor } from '../src/outbox/cursor.ts';
import { followOutbox, type OutboxFollower } from '../src/outbox/follow.ts';
import { outboxHead } from '../src/outbox/read-log.ts';
import { type CapSkip, customerCapNote, vacancyCapNote } from './caps.ts';
import { eligibilityReasons } from './eligibility.ts';
import {
  CustomerIndex,
  rankCustomersForVacancy,
  rankVacanciesForCustomer,
  VacancyIndex,
  whyNotCustomer,
} from './index.ts';
import { loadAllProfiles, loadAllVacancies, loadProfiles, loadVacancies } from './load.ts';
import { NO_PROPOSALS, pairProposalState, proposalState } from './proposal-state.ts';
import type { RankOptions } from './rank.ts';
import type { Exclusion, MatchResult, Reason } from './types.ts';
import { CAPS } from './weights.ts';

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
  /** Rank without caps and existing pairs; for stored lists, which get them applied when read. */
  ignoreProposals?: boolean;
}

export interface VacancyQuery {
  limit: number;
  now: Date;
  ignoreProposals?: boolean;
}

/**
 * Opening one customer's list is the caseworker's case-by-case decision the job centre's concept asks for before
 * the activation and integrated profiles are matched (docs/matching.md, "Eligibility"), so the customer view
 * includes both; the other groups are never matched.
 */
export const CUSTOMER_VIEW = { includeActivation: true, includeIntegrated: true } as const;

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
        await this.refresh(ctx, 'customer', ids('customer'));
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

  /** Catches up with the outbox (see src/outbox/follow.ts); returns the rows applied. */
  sync(ctx: Ctx): Promise<number> {
    return this.follower.sync(ctx);
  }

  /** Re-reads the named entities: present and usable ones are upserted, all others removed. */
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

  /** Ranked customers for an open vacancy; undefined when the vacancy is not open or not matchable. */
  async candidatesForVacancy(
    ctx: Ctx,
    vacancyId: string,
    query: CandidateQuery,
  ): Promise<RankedList<CandidateResult> | undefined> {
    await this.sync(ctx);
    const vacancy = this.vacancies.get(vacancyId);
    if (!vacancy) return undefined;
    const index = query.branchId == null ? this.customers : this.byBranch.get(query.branchId);
    const state = query.ignoreProposals ? NO_PROPOSALS : await proposalState(ctx, { type: 'vacancy', id: vacancyId });
    const opts: RankOptions = {
      limit: query.limit,
      includeActivation: query.includeActivation,
      now: query.now,
      openProposals: state,
      existingProposals: state.existing,
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

  /** Ranked open vacancies for a customer; undefined when the customer does not exist (or cannot be matched). */
  async vacanciesForCustomer(
    ctx: Ctx,
    customerId: string,
    query: VacancyQuery,
  ): Promise<(RankedList<MatchResult> & { ineligible: Reason[] }) | undefined> {
    await this.sync(ctx);
    const profile = this.customers.get(customerId);
    if (!profile) return undefined;
    const state = query.ignoreProposals ? NO_PROPOSALS : await proposalState(ctx, { type: 'customer', id: customerId });
    const opts: RankOptions = {
      ...CUSTOMER_VIEW,
      limit: query.limit,
      now: query.now,
      openProposals: state,
      existingProposals: state.existing,
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
   * customer is unknown. An empty list means the pair qualifies and only ranks too low.
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
