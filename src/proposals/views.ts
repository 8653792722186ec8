/**
 * The proposals of a vacancy, as the employer sees them and as staff see them. Both reads are audited with their
 * purpose, whatever the outcome (src/customers/audited-read.ts).
 *
 * Employers see a pseudonymous profile: qualifications, skills, licences, languages, working times, availability
 * and the commute in whole kilometres; no name, no contact, no postcode, unless the customer gave the separate
 * consent to share contact details (`customers.contact_consent`), in which case the name is shown too.
 *
 * A proposal whose customer was deleted (src/customers/retention.ts) stays in both views, in its place and with its
 * status, but with nobody behind it: no name, no profile, `customerDeleted` set.
 */
import { asc, eq } from 'drizzle-orm';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { mayAccessCustomer } from '../customers/access.ts';
import { auditedRead } from '../customers/audited-read.ts';
import { customers, proposals } from '../db/schema.ts';
import { distanceKm } from '../geo/plz.ts';
import { ownVacancy, staffVacancy } from '../orders/access.ts';

const PURPOSE = 'placement';

export interface CandidateProfile {
  /** "Kandidat/in 1", "Kandidat/in 2" … in the order proposed; stable, since proposals are only added. */
  label: string;
  /** Only with the customer's consent to share contact details; otherwise null. */
  name: string | null;
  qualifications: string[];
  skills: string[];
  licences: string[];
  languages: Array<{ language: string; level: string }>;
  workingTimes: string[];
  availableFrom: Date | null;
  /** Whole kilometres from the customer's home to the workplace; null for remote or unplaced jobs. */
  commuteKm: number | null;
  /** The customer's data were deleted: the proposal is kept for the order, without any profile. */
  deleted: boolean;
}

export interface EmployerProposalView {
  proposalId: string;
  proposedAt: Date;
  note: string | null;
  status: string;
  outcome: string | null;
  candidate: CandidateProfile;
}

const PROPOSAL_COLUMNS = {
  id: proposals.id,
  createdAt: proposals.createdAt,
  note: proposals.note,
  status: proposals.status,
  outcome: proposals.outcome,
  outcomeReason: proposals.outcomeReason,
  outcomeAt: proposals.outcomeAt,
  invitedAt: proposals.invitedAt,
  customerId: customers.id,
  displayName: customers.displayName,
  branchId: customers.branchId,
  profileGroup: customers.profileGroup,
  contactConsent: customers.contactConsent,
  qualifications: customers.qualifications,
  skills: customers.skills,
  licences: customers.licences,
  languages: customers.languages,
  workingTimes: customers.workingTimes,
  availableFrom: customers.availableFrom,
  lat: customers.lat,
  lon: customers.lon,
};

type ProposalRow = Awaited<ReturnType<typeof proposalRows>>[number];

/** What an employer sees of one candidate; nothing at all once the customer was deleted. */
function candidateOf(
  r: ProposalRow,
  label: string,
  vacancy: { remote: boolean; lat: number | null; lon: number | null },
): CandidateProfile {
  if (r.customerId === null) {
    return {
      label,
      name: null,
      qualifications: [],
      skills: [],
      licences: [],
      languages: [],
      workingTimes: [],
      availableFrom: null,
      commuteKm: null,
      deleted: true,
    };
  }
  return {
    label,
    name: r.contactConsent ? r.displayName : null,
    qualifications: r.qualifications ?? [],
    skills: r.skills ?? [],
    licences: r.licences ?? [],
    languages: r.languages ?? [],
    workingTimes: r.workingTimes ?? [],
    availableFrom: r.availableFrom,
    commuteKm:
      vacancy.remote || vacancy.lat === null || vacancy.lon === null || r.lat === null || r.lon === null
        ? null
        : Math.round(distanceKm({ lat: r.lat, lon: r.lon }, { lat: vacancy.lat, lon: vacancy.lon })),
    deleted: false,
  };
}

async function proposalRows(ctx: Ctx, vacancyId: string) {
  return (
    ctx.db
      .select(PROPOSAL_COLUMNS)
      .from(proposals)
      // Left join: a deleted customer's proposal keeps its place (and the candidate numbering stays stable).
      .leftJoin(customers, eq(customers.id, proposals.customerId))
      .where(eq(proposals.vacancyId, vacancyId))
      .orderBy(asc(proposals.createdAt), asc(proposals.id))
  );
}

export async function listProposalsForEmployer({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: { vacancyId: string };
}): Promise<EmployerProposalView[]> {
  return auditedRead(
    ctx,
    { actor, action: 'read', objectType: 'vacancy_proposals', objectId: input.vacancyId, purpose: PURPOSE },
    async () => {
      const vacancy = await ownVacancy(ctx, actor, input.vacancyId);
      const rows = await proposalRows(ctx, vacancy.id);
      return rows.map((r, i) => ({
        proposalId: r.id,
        proposedAt: r.createdAt,
        note: r.note,
        status: r.status,
        outcome: r.outcome,
        candidate: candidateOf(r, `Kandidat/in ${i + 1}`, vacancy),
      }));
    },
    // Which customers' data the employer saw, so the read can be reconstructed.
    (list) => ({ proposalIds: list.map((p) => p.proposalId) }),
  );
}

export interface StaffProposalView {
  proposalId: string;
  proposedAt: Date;
  note: string | null;
  status: string;
  outcome: string | null;
  outcomeReason: string | null;
  outcomeAt: Date | null;
  invitedAt: Date | null;
  /** Null once the customer was deleted. */
  customerId: string | null;
  /** Null for customers outside the reader's branch, and for deleted ones: the reader sees that a proposal exists, not who. */
  displayName: string | null;
}

export async function listProposalsForStaff({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: { vacancyId: string };
}): Promise<StaffProposalView[]> {
  return auditedRead(
    ctx,
    { actor, action: 'read', objectType: 'vacancy_proposals', objectId: input.vacancyId, purpose: PURPOSE },
    async () => {
      const vacancy = await staffVacancy(ctx, actor, input.vacancyId);
      const rows = await proposalRows(ctx, vacancy.id);
      return rows.map((r) => ({
        proposalId: r.id,
        proposedAt: r.createdAt,
        note: r.note,
        status: r.status,
        outcome: r.outcome,
        outcomeReason: r.outcomeReason,
        outcomeAt: r.outcomeAt,
        invitedAt: r.invitedAt,
        customerId: r.customerId,
        displayName: r.branchId !== null && mayAccessCustomer(actor, r.branchId) ? r.displayName : null,
      }));
    },
    (list) => ({ customerIds: list.filter((p) => p.displayName !== null).map((p) => p.customerId) }),
  );
}
