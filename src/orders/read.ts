/**
 * An employer's view of their own orders: list and detail. Only vacancies of the actor's employer exist for them;
 * any other id is not found.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { proposals, slaClocks, vacancies } from '../db/schema.ts';
import { VacancyStatus } from '../domain/enums.ts';
import { issuesOf, ValidationFailed } from '../errors.ts';
import { kldbTitle } from '../taxonomy/kldb.ts';
import { employerOf, ownVacancy } from './access.ts';

export const ListOrdersInput = z.object({
  status: VacancyStatus.optional(),
  limit: z.number().int().min(1).max(200).default(50),
  offset: z.number().int().min(0).max(100_000).default(0),
});

export interface OrderSummary {
  vacancyId: string;
  reference: string | null;
  title: string;
  status: 'open' | 'closed' | 'filled';
  closeReason: string | null;
  placementOrder: boolean;
  positions: number;
  positionsFilled: number;
  createdAt: Date;
  slaDueAt: Date | null;
  respondedAt: Date | null;
  proposals: number;
}

const proposalCount = sql<number>`(select count(*)::int from ${proposals} where ${proposals.vacancyId} = ${vacancies.id})`;

const SUMMARY_COLUMNS = {
  vacancyId: vacancies.id,
  reference: vacancies.referenceNumber,
  title: vacancies.title,
  status: vacancies.status,
  closeReason: vacancies.closeReason,
  placementOrder: vacancies.placementOrder,
  positions: vacancies.positions,
  positionsFilled: vacancies.positionsFilled,
  createdAt: vacancies.createdAt,
  slaDueAt: slaClocks.dueAt,
  respondedAt: slaClocks.respondedAt,
  proposals: proposalCount,
};

export async function listOwnOrders({
  ctx,
  actor,
  input = {},
}: {
  ctx: Ctx;
  actor: Actor;
  input?: z.input<typeof ListOrdersInput>;
}): Promise<OrderSummary[]> {
  const employerId = employerOf(actor);
  const parsed = ListOrdersInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Anfrage', issuesOf(parsed.error));
  const { status, limit, offset } = parsed.data;
  return ctx.db
    .select(SUMMARY_COLUMNS)
    .from(vacancies)
    .leftJoin(slaClocks, eq(slaClocks.vacancyId, vacancies.id))
    .where(and(eq(vacancies.employerId, employerId), status ? eq(vacancies.status, status) : undefined))
    .orderBy(desc(vacancies.createdAt), desc(vacancies.id))
    .limit(limit)
    .offset(offset);
}

export interface OrderDetail extends OrderSummary {
  description: string;
  plz: string | null;
  place: string | null;
  workingTimes: string[];
  contractType: string | null;
  offerType: string;
  startDate: Date | null;
  requirementLevel: number | null;
  kldbCode: string | null;
  kldbTitle: string | null;
  skills: string[];
  licences: string[];
  languages: Array<{ language: string; level: string }>;
  salary: unknown;
  contactPerson: unknown;
  applicationRoute: unknown;
  stated: Record<string, unknown> | null;
}

export async function getOwnOrder({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: { vacancyId: string };
}): Promise<OrderDetail> {
  const v = await ownVacancy(ctx, actor, input.vacancyId);
  const [extra] = await ctx.db
    .select({ slaDueAt: slaClocks.dueAt, respondedAt: slaClocks.respondedAt })
    .from(slaClocks)
    .where(eq(slaClocks.vacancyId, v.id));
  const [count] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(proposals)
    .where(eq(proposals.vacancyId, v.id));
  return {
    vacancyId: v.id,
    reference: v.referenceNumber,
    title: v.title,
    status: v.status,
    closeReason: v.closeReason,
    placementOrder: v.placementOrder,
    positions: v.positions,
    positionsFilled: v.positionsFilled,
    createdAt: v.createdAt,
    slaDueAt: extra?.slaDueAt ?? null,
    respondedAt: extra?.respondedAt ?? null,
    proposals: count?.n ?? 0,
    description: v.description,
    plz: v.plz,
    place: v.place,
    workingTimes: v.workingTimes,
    contractType: v.contractType,
    offerType: v.offerType,
    startDate: v.startDate,
    requirementLevel: v.requirementLevel,
    kldbCode: v.kldbCode,
    kldbTitle: v.kldbCode ? (kldbTitle(v.kldbCode) ?? null) : null,
    skills: v.skills,
    licences: v.licences,
    languages: v.languages,
    salary: v.salary,
    contactPerson: v.contactPerson,
    applicationRoute: v.applicationRoute,
    stated: v.statedPosting,
  };
}
