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
import { memoryCursor, type OutboxCursor } from '../../src/outbox/cursor.ts';
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
import {
  loadAllProfiles,
  loadAllVacancies,
  loadMatchableCustomerIds,
  loadOpenVacancies,
  loadProfiles,
} from './load.ts';
import { ParsedLists } from './match-store.ts';
import { pairProposalState } from './proposal-state.ts';
import type { VacancyState } from './vacancy-snapshot.ts';

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
  /** Open vacancies the matcher cannot use (no confirmed code, no place …): counted, so a start can check the total. */
  private readonly unmatchable = new Set<string>();
  private readonly cursor: OutboxCursor;
  private readonly follower: OutboxFollower;
  /** Stored lists this process has parsed (match-store.ts); a customer leaving the index leaves them too. */
  readonly parsedLists = new ParsedLists();
  /** Counts changes to the vacancies, so a snapshot is written only when they changed (match-start.ts). */
  vacancyVersion = 0;

  private constructor(position: number) {
    this.cursor = memoryCursor(position);
    this.follower = followOutbox({
      topic: 'match',
      cursor: this.cursor,
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
    await service.loadCustomers(ctx);
    const vacancies: MatchVacancy[] = [];
    for await (const page of loadAllVacancies(ctx)) {
      vacancies.push(...page.vacancies);
      for (const id of page.unmatchable) service.unmatchable.add(id);
    }
    service.vacancies.upsertMany(vacancies);
    return service;
  }

  /**
   * The vacancies as they stood at outbox position `position` (a snapshot), the customers from the DB. The next
   * sync replays everything after `position`, customers included (idempotent).
   */
  static async resume(
    ctx: Ctx,
    position: number,
    state: VacancyState,
    took: (step: 'customers' | 'vacancies', ms: number) => void = () => {},
  ): Promise<MatchService> {
    const service = new MatchService(position);
    let started = performance.now();
    await service.loadCustomers(ctx);
    took('customers', performance.now() - started);
    started = performance.now();
    service.vacancies.upsertMany(state.vacancies);
    for (const id of state.unmatchable) service.unmatchable.add(id);
    took('vacancies', performance.now() - started);
    return service;
  }

  private async loadCustomers(ctx: Ctx): Promise<void> {
    for await (const page of loadAllProfiles(ctx)) for (const p of page) this.upsertCustomer(p);
  }

  /** The outbox position the indexes have applied up to. */
  position(): Promise<number> {
    return this.cursor.get();
  }

  /** Open vacancies held: those in the index and those it cannot use. */
  get openVacancies(): number {
    return this.vacancies.size + this.unmatchable.size;
  }

  /**
   * The vacancies as they stand now, taken synchronously: the records are replaced on change, never altered, so the
   * state stays as taken while it is written.
   */
  vacancyState(): VacancyState {
    const vacancies: MatchVacancy[] = [];
    for (const v of this.vacancies.slots.items) if (v) vacancies.push(v);
    return { vacancies, unmatchable: [...this.unmatchable] };
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
    const open = await loadOpenVacancies(ctx, ids);
    for (const id of ids) {
      const vacancy = open.get(id);
      if (vacancy) this.vacancies.upsert(vacancy);
      else this.vacancies.remove(id);
      if (vacancy === null) this.unmatchable.add(id);
      else this.unmatchable.delete(id);
    }
    if (ids.length > 0) this.vacancyVersion++;
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
    this.parsedLists.forgetCustomer(id);
    const previous = this.customers.get(id);
    if (!previous) return;
    this.customers.remove(id);
    this.byBranch.get(previous.branchId)?.remove(id);
  }
}
