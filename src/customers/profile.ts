/**
 * The whole customer profile as caseworkers keep it (issue 10): list, read, create and change. Every change writes
 * the record, its audit row and a 'match' outbox row in one transaction, so the customer is
 * ranked again through the queue. Protected attributes (AGG) are neither returned nor accepted: the schemas are
 * strict, so a body naming one is refused.
 *
 * Branch moves: admins move customers anywhere; a branch lead hands a customer of their own branch over to another
 * branch; caseworkers cannot move customers. A moved customer leaves the old branch's lists at once, because every
 * list and read checks the branch of the stored row (access.ts, matchers/service/match-lists.ts).
 */
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { branches, customers } from '../db/schema.ts';
import { LanguageRequirement, Licence, Plz, ProfileGroup, WorkingTime } from '../domain/enums.ts';
import { RowId } from '../domain/ids.ts';
import { Conflict, Forbidden, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { lookupPlz } from '../geo/plz.ts';
import { appendOutbox } from '../outbox/append.ts';
import { type CodeCandidate, codeOccupation } from '../taxonomy/coder.ts';
import { isKldbCode } from '../taxonomy/kldb.ts';
import { customerScope, mayAccessCustomer } from './access.ts';
import { auditedRead } from './audited-read.ts';

/** What a caseworker sees of a customer: the record without protected attributes. */
export const PROFILE_COLUMNS = {
  id: customers.id,
  caseNumber: customers.caseNumber,
  displayName: customers.displayName,
  branchId: customers.branchId,
  profileGroup: customers.profileGroup,
  targetKldbCodes: customers.targetKldbCodes,
  qualifications: customers.qualifications,
  skills: customers.skills,
  licences: customers.licences,
  languages: customers.languages,
  plz: customers.plz,
  maxCommuteKm: customers.maxCommuteKm,
  workingTimes: customers.workingTimes,
  availableFrom: customers.availableFrom,
  consent: customers.consent,
  contactConsent: customers.contactConsent,
  blockedUntil: customers.blockedUntil,
  blockedReason: customers.blockedReason,
  restrictedAt: customers.restrictedAt,
  restrictedReason: customers.restrictedReason,
  createdAt: customers.createdAt,
  updatedAt: customers.updatedAt,
};

type ProfileRow = { [K in keyof typeof PROFILE_COLUMNS]: (typeof PROFILE_COLUMNS)[K]['_']['data'] };
export type CustomerProfile = Omit<
  ProfileRow,
  'caseNumber' | 'blockedUntil' | 'blockedReason' | 'restrictedAt' | 'restrictedReason'
> & {
  caseNumber: string | null;
  blockedUntil: Date | null;
  blockedReason: string | null;
  /** Restriction of processing (Art. 18 GDPR, src/customers/retention.ts): shown, so nobody works around it. */
  restrictedAt: Date | null;
  restrictedReason: string | null;
};

const isoDate = z.union([z.date(), z.iso.date().transform((s) => new Date(`${s}T00:00:00Z`))]);
const isoDateTime = z.union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))]);
const KldbCode = z.string().refine(isKldbCode, { message: 'unbekannter KldB-Code (erwartet: fünfstelliger Code)' });
/** Case numbers come from the case management system: letters, digits and a few separators. */
export const CaseNumber = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9./-]{0,39}$/, 'Kundennummer: 1–40 Zeichen, Buchstaben, Ziffern, . / -');

/** Every field a caseworker may set; the rules for matching fields are the matcher's (domain/customer.ts). */
const Fields = z.object({
  caseNumber: CaseNumber.nullable(),
  displayName: z.string().trim().min(1).max(200),
  branchId: z.number().int().positive(),
  profileGroup: ProfileGroup,
  targetKldbCodes: z.array(KldbCode).min(1).max(10),
  /** Not stored: free text the coder turns into suggestions in the answer. */
  targetOccupationText: z.string().trim().min(2).max(200),
  qualifications: z.array(z.string().trim().min(1).max(200)).max(50),
  skills: z.array(z.string().trim().min(1).max(100)).max(100),
  licences: z.array(Licence),
  languages: z.array(LanguageRequirement).max(20),
  plz: Plz,
  maxCommuteKm: z.number().min(0).max(1000),
  workingTimes: z.array(WorkingTime).min(1),
  availableFrom: isoDate,
  consent: z.boolean(),
  contactConsent: z.boolean(),
  blockedUntil: isoDateTime.nullable(),
  blockedReason: z.string().trim().min(1).max(500).nullable(),
});

export const CreateCustomerInput = Fields.partial({
  caseNumber: true,
  branchId: true,
  targetOccupationText: true,
  qualifications: true,
  skills: true,
  licences: true,
  languages: true,
  consent: true,
  contactConsent: true,
  blockedUntil: true,
  blockedReason: true,
}).strict();
export type CreateCustomerInput = z.input<typeof CreateCustomerInput>;

export const PatchCustomerInput = Fields.partial()
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: 'mindestens ein Feld muss geändert werden',
  });
export type PatchCustomerInput = z.input<typeof PatchCustomerInput>;

export interface ProfileAnswer {
  customer: CustomerProfile;
  /** The coder's suggestions for `targetOccupationText`, when given. */
  suggestions: CodeCandidate[] | null;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Angaben für das Profil', issuesOf(parsed.error));
  return parsed.data;
}

function placeOf(plz: string): { plz: string; lat: number; lon: number } {
  const place = lookupPlz(plz);
  if (!place) {
    throw new ValidationFailed(`Postleitzahl ${plz} ist unbekannt`, [
      { path: 'plz', message: 'unbekannte Postleitzahl' },
    ]);
  }
  return { plz, lat: place.lat, lon: place.lon };
}

function suggestionsFor(text: string | undefined): CodeCandidate[] | null {
  return text === undefined ? null : codeOccupation({ title: text }).candidates;
}

async function assertBranchExists(ctx: Ctx, branchId: number): Promise<void> {
  const [row] = await ctx.db.select({ id: branches.id }).from(branches).where(eq(branches.id, branchId));
  if (!row) {
    throw new ValidationFailed(`Zweigstelle ${branchId} gibt es nicht`, [
      { path: 'branch_id', message: 'unbekannte Zweigstelle' },
    ]);
  }
}

/** A blocked-until date without a reason, or a reason without a date, is a half-recorded decision. */
function checkBlock(until: Date | null, reason: string | null): void {
  if ((until === null) !== (reason === null)) {
    throw new ValidationFailed('Sperre unvollständig', [
      {
        path: until === null ? 'blocked_until' : 'blocked_reason',
        message: 'Sperrdatum und Sperrgrund werden nur zusammen angegeben',
      },
    ]);
  }
}

async function assertCaseNumberFree(ctx: Ctx, caseNumber: string, except?: string): Promise<void> {
  const [row] = await ctx.db.select({ id: customers.id }).from(customers).where(eq(customers.caseNumber, caseNumber));
  if (row && row.id !== except) throw new Conflict(`Kundennummer ${caseNumber} ist bereits vergeben`);
}

/** The branch a new customer belongs to: the actor's own; admins name it. */
function branchForCreate(actor: Actor, requested: number | undefined): number {
  const scope = customerScope(actor);
  if (scope === null) {
    if (requested === undefined) {
      throw new ValidationFailed('Zweigstelle fehlt', [{ path: 'branch_id', message: 'Pflichtangabe für Admins' }]);
    }
    return requested;
  }
  if (requested !== undefined && requested !== scope) {
    throw new Forbidden('Kundinnen und Kunden werden in der eigenen Zweigstelle angelegt');
  }
  return scope;
}

export async function createCustomer({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: CreateCustomerInput;
}): Promise<ProfileAnswer> {
  const branchId = branchForCreate(actor, (input as { branchId?: number }).branchId);
  const { targetOccupationText, plz, ...fields } = parse(CreateCustomerInput, input);
  const place = placeOf(plz);
  checkBlock(fields.blockedUntil ?? null, fields.blockedReason ?? null);
  await assertBranchExists(ctx, branchId);
  if (fields.caseNumber) await assertCaseNumberFree(ctx, fields.caseNumber);
  const customer = await withTransaction(ctx, async (tx) => {
    const now = tx.now();
    const [created] = await tx.db
      .insert(customers)
      .values({ ...fields, ...place, branchId, createdAt: now, updatedAt: now })
      .returning(PROFILE_COLUMNS);
    const row = created as CustomerProfile;
    await recordAudit(tx, {
      actor,
      action: 'create',
      objectType: 'customer',
      objectId: row.id,
      purpose: 'case_management',
      detail: { branchId },
    });
    await appendOutbox(tx, [{ topic: 'match', aggregateType: 'customer', aggregateId: row.id }]);
    return row;
  });
  return { customer, suggestions: suggestionsFor(targetOccupationText) };
}

/** One profile for an actor: 404 if unknown, 403 outside their branch; audited whatever the outcome. */
export async function readCustomerProfile(ctx: Ctx, actor: Actor, id: string): Promise<CustomerProfile> {
  return auditedRead(
    ctx,
    { actor, action: 'read', objectType: 'customer', objectId: id, purpose: 'case_management' },
    () => loadForActor(ctx, actor, id),
  );
}

async function loadForActor(ctx: Ctx, actor: Actor, id: string): Promise<CustomerProfile> {
  customerScope(actor);
  if (!RowId.safeParse(id).success) throw new NotFound('Kunde', id);
  const [row] = await ctx.db.select(PROFILE_COLUMNS).from(customers).where(eq(customers.id, id));
  if (!row) throw new NotFound('Kunde', id);
  if (!mayAccessCustomer(actor, row.branchId)) {
    throw new Forbidden('Kundinnen und Kunden anderer Zweigstellen sind nicht sichtbar');
  }
  return row as CustomerProfile;
}

/** Who may move a customer to another branch (see the module comment). */
function mayMove(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'branch_lead';
}

export async function patchCustomer({
  ctx,
  actor,
  id,
  input,
  expectedUpdatedAt,
}: {
  ctx: Ctx;
  actor: Actor;
  id: string;
  input: PatchCustomerInput;
  /** Optimistic concurrency (If-Match): the change is refused when the record changed since this version. */
  expectedUpdatedAt?: Date;
}): Promise<ProfileAnswer> {
  const { targetOccupationText, plz, ...fields } = parse(PatchCustomerInput, input);
  // Checked (and audited) outside the transaction, so a refused attempt stays in the audit log.
  const current = await readCustomerProfile(ctx, actor, id);
  if (fields.branchId !== undefined && fields.branchId !== current.branchId) {
    if (!mayMove(actor)) throw new Forbidden('Nur Teamleitungen und Admins geben Kundinnen und Kunden ab');
    await assertBranchExists(ctx, fields.branchId);
  }
  checkBlock(
    fields.blockedUntil !== undefined ? fields.blockedUntil : current.blockedUntil,
    fields.blockedReason !== undefined ? fields.blockedReason : current.blockedReason,
  );
  if (fields.caseNumber) await assertCaseNumberFree(ctx, fields.caseNumber, id);
  const place = plz === undefined ? {} : placeOf(plz);
  const changed = Object.entries({ ...fields, plz }).filter(([, x]) => x !== undefined);
  if (changed.length === 0) return { customer: current, suggestions: suggestionsFor(targetOccupationText) };
  const customer = await withTransaction(ctx, async (tx) => {
    const conditions = [eq(customers.id, id), eq(customers.branchId, current.branchId)];
    if (expectedUpdatedAt) {
      conditions.push(sql`date_trunc('milliseconds', ${customers.updatedAt}) = ${expectedUpdatedAt.toISOString()}`);
    }
    const [updated] = await tx.db
      .update(customers)
      .set({ ...fields, ...place, updatedAt: tx.now() })
      // A move or change between the check and this write is not overridden by a stale permission or version.
      .where(and(...conditions))
      .returning(PROFILE_COLUMNS);
    if (!updated) throw new Conflict('Das Profil wurde inzwischen geändert; bitte erneut laden');
    // Field names only: the values are social data and stay in the record.
    await recordAudit(tx, {
      actor,
      action: 'update',
      objectType: 'customer',
      objectId: id,
      purpose: 'case_management',
      detail: {
        fields: changed.map(([k]) => k),
        ...(fields.branchId !== undefined && fields.branchId !== current.branchId
          ? { fromBranch: current.branchId, toBranch: fields.branchId }
          : {}),
      },
    });
    await appendOutbox(tx, [{ topic: 'match', aggregateType: 'customer', aggregateId: id }]);
    return updated as CustomerProfile;
  });
  return { customer, suggestions: suggestionsFor(targetOccupationText) };
}

export interface ListCustomersInput {
  limit: number;
  offset: number;
  profileGroup?: z.infer<typeof ProfileGroup>;
  /** Admins only: one branch instead of all. */
  branchId?: number;
}

export interface CustomerPage {
  items: CustomerProfile[];
  total: number;
}

/** A page of the actor's customers (own branch, admins all), audited with the ids shown. */
export async function listCustomers(ctx: Ctx, actor: Actor, input: ListCustomersInput): Promise<CustomerPage> {
  return auditedRead(
    ctx,
    {
      actor,
      action: 'read',
      objectType: 'customer_list',
      purpose: 'case_management',
      detail: { ...input },
    },
    async () => {
      const scope = customerScope(actor);
      if (scope !== null && input.branchId !== undefined && input.branchId !== scope) {
        throw new Forbidden('Kundinnen und Kunden anderer Zweigstellen sind nicht sichtbar');
      }
      const branchId = scope ?? input.branchId;
      const where = and(
        branchId === undefined ? undefined : eq(customers.branchId, branchId),
        input.profileGroup === undefined ? undefined : eq(customers.profileGroup, input.profileGroup),
      );
      const items = await ctx.db
        .select(PROFILE_COLUMNS)
        .from(customers)
        .where(where)
        .orderBy(asc(customers.displayName), asc(customers.id))
        .limit(input.limit)
        .offset(input.offset);
      const [total] = await ctx.db.select({ n: count() }).from(customers).where(where);
      return { items: items as CustomerProfile[], total: Number(total?.n ?? 0) };
    },
    (page) => ({ customerIds: page.items.map((c) => c.id) }),
  );
}
