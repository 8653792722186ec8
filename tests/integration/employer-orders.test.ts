/**
 * Issue 9's domain core end to end on PGlite and PostgreSQL with a fake clock: employer orders, the 48-hour clock
 * and its milestones, proposals and outcomes, follow-ups, tasks and notifications. Fixtures are created per database
 * through the verbs, with obviously synthetic data; no demo seed ids.
 */
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matcherPairCheck } from '../../matchers/service/pair-check.ts';
import type { Actor } from '../../src/audit/record.ts';
import type { Ctx } from '../../src/context.ts';
import type { Database } from '../../src/db/client.ts';
import {
  auditLog,
  branches,
  customers,
  notifications,
  outbox,
  slaEvents,
  sources,
  tasks,
  users,
  vacancies,
  vacancySources,
} from '../../src/db/schema.ts';
import { setEmployerContact } from '../../src/employers/assign-caseworker.ts';
import { branchForPlz, setCatchment } from '../../src/employers/catchment.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../../src/errors.ts';
import { lookupPlz } from '../../src/geo/plz.ts';
import { listInbox } from '../../src/notifications/inbox.ts';
import { markOrderFilled } from '../../src/orders/mark-filled.ts';
import { getOwnOrder, listOwnOrders } from '../../src/orders/read.ts';
import { submitOrder } from '../../src/orders/submit.ts';
import { updateOrder } from '../../src/orders/update.ts';
import { withdrawOrder } from '../../src/orders/withdraw.ts';
import { recordOutcome } from '../../src/proposals/outcome.ts';
import { createDueReactionReminders } from '../../src/proposals/reaction-reminders.ts';
import { ProposalsRefused, sendProposals } from '../../src/proposals/send.ts';
import { listProposalsForEmployer, listProposalsForStaff } from '../../src/proposals/views.ts';
import { zonedInstant } from '../../src/sla/calendar.ts';
import { listSlaVacancies } from '../../src/sla/list.ts';
import { fireMilestone, milestoneEvents, pendingMilestones } from '../../src/sla/milestones.ts';
import { recordResponse } from '../../src/sla/respond.ts';
import { type SlaRules, slaRules } from '../../src/sla/rules.ts';
import { slaSummary } from '../../src/sla/summary.ts';
import { completeTask, listDueTasks } from '../../src/tasks/list.ts';
import { addUser } from '../../src/users/add-user.ts';
import { confirmCoding } from '../../src/vacancies/coding.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Friday 20 Nov 2026, 16:00 in Berlin. */
const FRIDAY_4PM = new Date('2026-11-20T15:00:00Z');

const MINIMAL = {
  title: 'Koch / Köchin (m/w/d)',
  description: 'Muster GmbH (Demo) sucht eine Köchin oder einen Koch für die Kantine. Hygieneschulung erforderlich.',
  plz: '70173',
  working_times: ['vollzeit'],
  contract_type: 'unbefristet',
  placement_order: true,
};

type TestCtx = Ctx & { setNow(d: Date): void; slaRules?: SlaRules };

interface World {
  ctx: TestCtx;
  admin: Actor;
  /** Employer service of branch 1 (AG-pAp). */
  agp1: Actor;
  agp2: Actor;
  lead: Actor;
  /** A caseworker of branch 2. */
  other: Actor;
  employerA: Actor;
  employerB: Actor;
  customerIds: string[];
  nextCustomer: number;
}

async function actorFor(ctx: Ctx, userId: string): Promise<Actor> {
  const [u] = await ctx.db.select().from(users).where(eq(users.id, userId));
  return { userId, role: u!.role, branchId: u!.branchId, employerId: u!.employerId };
}

let customerNo = 0;
async function addCustomer(ctx: Ctx, overrides: Partial<typeof customers.$inferInsert> = {}): Promise<string> {
  customerNo += 1;
  const plz = overrides.plz ?? '70173';
  const place = lookupPlz(plz)!;
  const [row] = await ctx.db
    .insert(customers)
    .values({
      displayName: `Testkunde ${String(customerNo).padStart(3, '0')} (Demo)`,
      branchId: 1,
      profileGroup: 'market',
      targetKldbCodes: ['29302'],
      qualifications: ['Ausbildung Koch'],
      skills: ['HACCP'],
      plz,
      lat: place.lat,
      lon: place.lon,
      maxCommuteKm: 25,
      workingTimes: ['vollzeit', 'teilzeit'],
      availableFrom: new Date('2026-01-01T00:00:00Z'),
      consent: true,
      ...overrides,
    })
    .returning({ id: customers.id });
  return row!.id;
}

async function setupWorld(database: Database, rules?: SlaRules): Promise<World> {
  const ctx = testContext(database.db, FRIDAY_4PM) as TestCtx;
  if (rules) ctx.slaRules = rules;
  await ctx.db.insert(branches).values([
    { id: 1, name: 'Zweigstelle Mitte (Test)', plz: '70173', catchmentPlz: ['70173', '70174'] },
    { id: 2, name: 'Zweigstelle Bad Cannstatt (Test)', plz: '70372', catchmentPlz: ['70372'] },
  ]);
  const user = async (email: string, role: Actor['role'], branchId: number | null, employerService = false) => {
    const { userId } = await addUser({ ctx, input: { email, role, branchId } });
    if (employerService) await ctx.db.update(users).set({ employerService }).where(eq(users.id, userId));
    return actorFor(ctx, userId);
  };
  const admin = await user('admin@example.invalid', 'admin', null);
  const agp1 = await user('ag1@example.invalid', 'caseworker', 1, true);
  const agp2 = await user('ag2@example.invalid', 'caseworker', 1, true);
  const lead = await user('leitung1@example.invalid', 'branch_lead', 1);
  const other = await user('fall2@example.invalid', 'caseworker', 2);
  const a = await inviteEmployerUser({
    ctx,
    actor: agp1,
    input: { email: 'personal-a@example.invalid', employer: { name: 'Muster GmbH (Demo)', plz: '70173' } },
  });
  const b = await inviteEmployerUser({
    ctx,
    actor: admin,
    input: { email: 'personal-b@example.invalid', employer: { name: 'Beispiel AG (Demo)', plz: '70174' } },
  });
  const customerIds = [];
  for (let i = 0; i < 4; i++) customerIds.push(await addCustomer(ctx));
  return {
    ctx,
    admin,
    agp1,
    agp2,
    lead,
    other,
    employerA: await actorFor(ctx, a.userId),
    employerB: await actorFor(ctx, b.userId),
    customerIds,
    nextCustomer: 0,
  };
}

/** An order coded and confirmed by the caseworker, so it can be matched and proposed to. */
async function codedOrder(w: World, body: Record<string, unknown> = {}, employer = w.employerA) {
  const receipt = await submitOrder({ ctx: w.ctx, actor: employer, input: { ...MINIMAL, ...body } });
  await confirmCoding({ ctx: w.ctx, actor: w.admin, vacancyId: receipt.vacancyId, input: { kldbCode: '29302' } });
  return receipt;
}

async function notificationsOf(ctx: Ctx, vacancyId: string) {
  return ctx.db
    .select({ template: notifications.template, recipient: notifications.recipientUserId })
    .from(notifications)
    .where(eq(notifications.vacancyId, vacancyId))
    .orderBy(notifications.createdAt, notifications.template);
}

async function stateOf(w: World, vacancyId: string) {
  const list = await listSlaVacancies({ ctx: w.ctx, actor: w.admin, input: { limit: 1000 } });
  return list.find((v) => v.vacancyId === vacancyId)?.state;
}

describe.each(testDatabases())('employer orders on $name', (factory) => {
  let database: Database;
  let w: World;

  beforeAll(async () => {
    database = await openMigrated(factory);
    w = await setupWorld(database);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('invites employer users into the branch of their postcode, by admins and the branch’s employer service', async () => {
    expect(w.employerA.role).toBe('employer');
    expect(w.employerA.employerId).not.toBe(w.employerB.employerId);
    expect((await branchForPlz(w.ctx, '70174'))?.id).toBe(1);
    // A caseworker of another branch, or without the employer-service mark, may not invite here.
    await expect(
      inviteEmployerUser({
        ctx: w.ctx,
        actor: w.other,
        input: { email: 'x@example.invalid', employer: { name: 'Test KG (Demo)', plz: '70173' } },
      }),
    ).rejects.toBeInstanceOf(Forbidden);
    await expect(
      inviteEmployerUser({ ctx: w.ctx, actor: w.admin, input: { email: 'kaputt', employerId: 'nope' } }),
    ).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('takes an order: 201 facts at once, confirmation, clock, outbox, source link; then a proposal meets the SLA', async () => {
    w.ctx.setNow(FRIDAY_4PM);
    const receipt = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: MINIMAL });
    expect(receipt).toMatchObject({
      reference: expect.stringMatching(/^JB-2026-\d{6}$/),
      branch: { id: 1, name: 'Zweigstelle Mitte (Test)' },
      placementOrder: true,
      receivedAt: FRIDAY_4PM.toISOString(),
      slaDueAt: new Date(FRIDAY_4PM.getTime() + 48 * HOUR).toISOString(),
      replayed: false,
    });
    expect([w.agp1.userId, w.agp2.userId]).toContain(receipt.caseworker?.id);
    const id = receipt.vacancyId;

    const [v] = await w.ctx.db.select().from(vacancies).where(eq(vacancies.id, id));
    expect(v).toMatchObject({
      status: 'open',
      placementOrder: true,
      positions: 1,
      employerId: w.employerA.employerId,
      submittedBy: w.employerA.userId,
      place: 'Stuttgart',
      employerName: 'Muster GmbH (Demo)',
    });
    // Coded like a crawled posting.
    expect(v!.kldbCode).toMatch(/^\d{5}$/);
    expect(v!.licences).toEqual([]);
    const [link] = await w.ctx.db
      .select({ type: sources.type, externalId: vacancySources.externalId })
      .from(vacancySources)
      .innerJoin(sources, eq(sources.id, vacancySources.sourceId))
      .where(eq(vacancySources.vacancyId, id));
    expect(link).toEqual({ type: 'employer', externalId: receipt.reference });
    const log = await w.ctx.db.select().from(outbox).where(eq(outbox.aggregateId, id));
    expect(log.map((r) => r.topic).sort()).toEqual(['index', 'match']);
    expect(await notificationsOf(w.ctx, id)).toEqual([
      { template: 'order_confirmation', recipient: w.employerA.userId },
    ]);
    const inbox = await listInbox({ ctx: w.ctx, actor: w.employerA });
    expect(inbox[0]?.subject).toBe(`Auftragsbestätigung ${receipt.reference}: Koch / Köchin (m/w/d)`);
    expect(inbox[0]?.text).toContain('bis spätestens 22.11.2026, 16:00 Uhr');
    expect(await stateOf(w, id)).toBe('open');

    await confirmCoding({ ctx: w.ctx, actor: w.admin, vacancyId: id, input: { kldbCode: '29302' } });
    w.ctx.setNow(new Date(FRIDAY_4PM.getTime() + 5 * HOUR));
    const sent = await sendProposals({
      ctx: w.ctx,
      actor: w.agp1,
      input: { vacancyId: id, customerIds: [w.customerIds[0]!], note: 'Erfahrene Köchin, sofort verfügbar.' },
      check: matcherPairCheck,
    });
    expect(sent.qualifiedResponse).toBe(true);
    expect(await stateOf(w, id)).toBe('met');
    expect((await notificationsOf(w.ctx, id)).map((n) => n.template)).toEqual([
      'order_confirmation',
      'proposals_received',
    ]);
    const audit = await w.ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectType, 'proposal'), eq(auditLog.objectId, sent.proposals[0]!.id)));
    expect(audit[0]).toMatchObject({ action: 'proposal.create', purpose: 'placement', actorUserId: w.agp1.userId });

    // Milestones after a response are skipped, and none is pending.
    w.ctx.setNow(new Date(FRIDAY_4PM.getTime() + 30 * HOUR));
    expect(await fireMilestone(w.ctx, { vacancyId: id, kind: 'reminder' })).toEqual({
      status: 'skipped',
      reason: 'clock_stopped',
    });
    expect((await pendingMilestones(w.ctx)).filter((m) => m.vacancyId === id)).toEqual([]);

    // The employer sees a pseudonymous profile, and the read is audited.
    const seen = await listProposalsForEmployer({ ctx: w.ctx, actor: w.employerA, input: { vacancyId: id } });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.candidate).toMatchObject({ label: 'Kandidat/in 1', name: null, commuteKm: 0 });
    expect(JSON.stringify(seen)).not.toContain('Testkunde');
    const [read] = await w.ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectType, 'vacancy_proposals'), eq(auditLog.actorUserId, w.employerA.userId)));
    expect(read).toMatchObject({ purpose: 'placement', detail: { outcome: 'ok' } });
  });

  it('shows the name only with the customer’s consent to share contact details', async () => {
    const r = await codedOrder(w);
    const consenting = await addCustomer(w.ctx, { contactConsent: true });
    await sendProposals({
      ctx: w.ctx,
      actor: w.agp1,
      input: { vacancyId: r.vacancyId, customerIds: [consenting] },
      check: matcherPairCheck,
    });
    const [p] = await listProposalsForEmployer({ ctx: w.ctx, actor: w.employerA, input: { vacancyId: r.vacancyId } });
    expect(p!.candidate.name).toMatch(/^Testkunde \d+ \(Demo\)$/);
  });

  it('takes a silent order through reminder, escalation and breach, each exactly once', async () => {
    w.ctx.setNow(FRIDAY_4PM);
    await setEmployerContact({
      ctx: w.ctx,
      actor: w.admin,
      input: { employerId: w.employerA.employerId!, caseworkerId: w.agp2.userId },
    });
    const r = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: { ...MINIMAL, title: 'Spüler (m/w/d)' } });
    expect(r.caseworker?.id).toBe(w.agp2.userId);
    const id = r.vacancyId;
    const at = (h: number) => new Date(FRIDAY_4PM.getTime() + h * HOUR);

    expect(await fireMilestone(w.ctx, { vacancyId: id, kind: 'reminder' })).toEqual({
      status: 'not_due',
      dueAt: at(24),
    });
    for (const [kind, hours, state] of [
      ['reminder', 24, 'at_risk'],
      ['escalation', 40, 'escalated'],
      ['breach', 48, 'breached'],
    ] as const) {
      w.ctx.setNow(at(hours));
      expect(await fireMilestone(w.ctx, { vacancyId: id, kind })).toEqual({
        status: 'done',
        dueAt: at(hours),
        firedAt: at(hours),
      });
      // A job delivered twice does nothing the second time.
      expect(await fireMilestone(w.ctx, { vacancyId: id, kind })).toEqual({
        status: 'skipped',
        reason: 'already_fired',
      });
      expect(await stateOf(w, id)).toBe(state);
    }
    const events = await milestoneEvents(w.ctx, id);
    expect(events.map((e) => e.kind)).toEqual(['started', 'reminder', 'escalation', 'breach']);
    expect(await notificationsOf(w.ctx, id)).toEqual([
      { template: 'order_confirmation', recipient: w.employerA.userId },
      { template: 'sla_reminder', recipient: w.agp2.userId },
      { template: 'sla_escalation', recipient: w.lead.userId },
      { template: 'sla_breach', recipient: w.lead.userId },
    ]);
    const taskRows = await w.ctx.db.select().from(tasks).where(eq(tasks.vacancyId, id));
    expect(taskRows.map((t) => t.kind).sort()).toEqual(['sla_breach', 'sla_escalation', 'sla_reminder']);
    expect(taskRows.find((t) => t.kind === 'sla_reminder')?.assigneeUserId).toBe(w.agp2.userId);

    // The lead sees the escalation and the breach among their due tasks; the caseworker the reminder.
    const leadTasks = await listDueTasks({ ctx: w.ctx, actor: w.lead });
    expect(
      leadTasks
        .filter((t) => t.vacancyId === id)
        .map((t) => t.kind)
        .sort(),
    ).toEqual(['sla_breach', 'sla_escalation']);
    const mine = await listDueTasks({ ctx: w.ctx, actor: w.agp2 });
    const reminder = mine.find((t) => t.vacancyId === id && t.kind === 'sla_reminder');
    expect(reminder).toMatchObject({ assignedToMe: true, reference: r.reference });

    // A late documented answer: met late, sent to the employer, open SLA tasks closed, the breach task stays.
    w.ctx.setNow(at(50));
    await recordResponse({
      ctx: w.ctx,
      actor: w.agp2,
      input: { vacancyId: id, reason: 'no_candidates_widen_radius', note: 'Umkreis bitte auf 30 km erweitern.' },
    });
    expect(await stateOf(w, id)).toBe('met_late');
    await expect(
      recordResponse({
        ctx: w.ctx,
        actor: w.agp2,
        input: { vacancyId: id, reason: 'clarification_requested', note: 'noch einmal' },
      }),
    ).rejects.toBeInstanceOf(Conflict);
    const inbox = await listInbox({ ctx: w.ctx, actor: w.employerA });
    expect(inbox[0]?.text).toContain('Keine passenden Bewerberinnen/Bewerber; Vorschlag: Umkreis erweitern');
    const open = await w.ctx.db
      .select({ kind: tasks.kind })
      .from(tasks)
      .where(and(eq(tasks.vacancyId, id), sql`${tasks.doneAt} is null`));
    expect(open.map((t) => t.kind)).toEqual(['sla_breach']);
    const breachTask = leadTasks.find((t) => t.vacancyId === id && t.kind === 'sla_breach')!;
    await completeTask({ ctx: w.ctx, actor: w.lead, input: { taskId: breachTask.id, note: 'Mit AG-pAp besprochen' } });
    await expect(
      completeTask({ ctx: w.ctx, actor: w.other, input: { taskId: breachTask.id, note: 'fremd' } }),
    ).rejects.toBeInstanceOf(NotFound);

    const summary = await slaSummary({
      ctx: w.ctx,
      actor: w.lead,
      input: { from: '2026-11-01', to: '2026-12-01', groupBy: 'caseworker' },
    });
    expect(summary.breaches.find((b) => b.vacancyId === id)).toMatchObject({
      state: 'met_late',
      reason: 'no_candidates_widen_radius',
    });
    await setEmployerContact({
      ctx: w.ctx,
      actor: w.admin,
      input: { employerId: w.employerA.employerId!, caseworkerId: null },
    });
  });

  it('arms what an outage left behind: overdue milestones fire at once with their original due times', async () => {
    w.ctx.setNow(FRIDAY_4PM);
    const r = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: { ...MINIMAL, title: 'Küchenhilfe' } });
    const pending = (await pendingMilestones(w.ctx)).filter((m) => m.vacancyId === r.vacancyId);
    expect(pending.map((m) => [m.kind, m.dueAt.toISOString()])).toEqual([
      ['reminder', new Date(FRIDAY_4PM.getTime() + 24 * HOUR).toISOString()],
      ['escalation', new Date(FRIDAY_4PM.getTime() + 40 * HOUR).toISOString()],
      ['breach', new Date(FRIDAY_4PM.getTime() + 48 * HOUR).toISOString()],
    ]);
    // Everything was down for three days; after the restart the reconciler finds all three overdue.
    const restart = new Date(FRIDAY_4PM.getTime() + 72 * HOUR);
    w.ctx.setNow(restart);
    const overdue = (await pendingMilestones(w.ctx)).filter((m) => m.vacancyId === r.vacancyId);
    expect(overdue.every((m) => m.dueAt < restart)).toBe(true);
    // Re-armed twice (restart of the service and of Redis): each fires once.
    for (const m of [...overdue, ...overdue]) await fireMilestone(w.ctx, m);
    const events = (await milestoneEvents(w.ctx, r.vacancyId)).filter((e) => e.kind !== 'started');
    expect(events.map((e) => [e.kind, e.dueAt?.toISOString(), e.at.toISOString()])).toEqual(
      pending.map((m) => [m.kind, m.dueAt.toISOString(), restart.toISOString()]),
    );
    expect((await pendingMilestones(w.ctx)).filter((m) => m.vacancyId === r.vacancyId)).toEqual([]);
  });

  it('answers a retried submission with the first answer; another body under the same key is refused', async () => {
    w.ctx.setNow(FRIDAY_4PM);
    const before = await countVacancies(w.ctx);
    const first = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: MINIMAL, idempotencyKey: 'retry-1' });
    w.ctx.setNow(new Date(FRIDAY_4PM.getTime() + 60_000));
    const again = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: MINIMAL, idempotencyKey: 'retry-1' });
    expect(again).toEqual({ ...first, replayed: true });
    expect(await countVacancies(w.ctx)).toBe(before + 1);
    await expect(
      submitOrder({
        ctx: w.ctx,
        actor: w.employerA,
        input: { ...MINIMAL, title: 'Anderer Titel' },
        idempotencyKey: 'retry-1',
      }),
    ).rejects.toBeInstanceOf(Conflict);
    // Keys are per user: another employer's same key is a new order.
    const other = await submitOrder({ ctx: w.ctx, actor: w.employerB, input: MINIMAL, idempotencyKey: 'retry-1' });
    expect(other.vacancyId).not.toBe(first.vacancyId);
    // After 24 hours the key is free again.
    w.ctx.setNow(new Date(FRIDAY_4PM.getTime() + 25 * HOUR));
    const later = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: MINIMAL, idempotencyKey: 'retry-1' });
    expect(later.replayed).toBe(false);
    expect(later.vacancyId).not.toBe(first.vacancyId);
  });

  it('refuses bad input naming every bad field in German, and stores nothing', async () => {
    const before = await countVacancies(w.ctx);
    const err = await submitOrder({
      ctx: w.ctx,
      actor: w.employerA,
      input: {
        title: '',
        plz: '99999',
        working_times: ['immer'],
        contract_type: 'unbefristet',
        placement_order: 'ja',
        start_date: '1.2.2027',
        contact_person: { name: 'Erika Muster (Demo)', email: 'keine-mail' },
        gehalt: 3000,
      },
      idempotencyKey: '',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationFailed);
    const paths = (err as ValidationFailed).issues.map((i) => i.path).sort();
    expect(paths).toEqual(
      [
        '',
        'contact_person.email',
        'description',
        'idempotency_key',
        'placement_order',
        'plz',
        'start_date',
        'title',
        'working_times.0',
      ].sort(),
    );
    const messages = Object.fromEntries((err as ValidationFailed).issues.map((i) => [i.path, i.message]));
    expect(messages).toMatchObject({
      description: 'Pflichtangabe fehlt',
      plz: 'Unbekannte Postleitzahl',
      '': 'Unbekannte Angabe: gehalt',
      'contact_person.email': 'keine gültige E-Mail-Adresse',
    });
    expect(await countVacancies(w.ctx)).toBe(before);
    // Only employer accounts submit orders.
    await expect(submitOrder({ ctx: w.ctx, actor: w.agp1, input: MINIMAL })).rejects.toBeInstanceOf(Forbidden);
  });

  it('keeps employers apart: another employer’s order is not found, whatever the verb', async () => {
    const a = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: MINIMAL });
    const b = await submitOrder({ ctx: w.ctx, actor: w.employerB, input: MINIMAL });
    const input = { vacancyId: a.vacancyId };
    await expect(getOwnOrder({ ctx: w.ctx, actor: w.employerB, input })).rejects.toBeInstanceOf(NotFound);
    await expect(
      updateOrder({ ctx: w.ctx, actor: w.employerB, input: { ...input, changes: { title: 'gekapert' } } }),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(withdrawOrder({ ctx: w.ctx, actor: w.employerB, input })).rejects.toBeInstanceOf(NotFound);
    await expect(markOrderFilled({ ctx: w.ctx, actor: w.employerB, input })).rejects.toBeInstanceOf(NotFound);
    await expect(listProposalsForEmployer({ ctx: w.ctx, actor: w.employerB, input })).rejects.toBeInstanceOf(NotFound);
    await expect(
      getOwnOrder({ ctx: w.ctx, actor: w.employerB, input: { vacancyId: 'not-a-uuid' } }),
    ).rejects.toBeInstanceOf(NotFound);
    const listed = await listOwnOrders({ ctx: w.ctx, actor: w.employerB, input: { limit: 200 } });
    expect(listed.map((o) => o.vacancyId)).toContain(b.vacancyId);
    expect(listed.map((o) => o.vacancyId)).not.toContain(a.vacancyId);
    // Nor the proposals: an outcome on A's proposal by B is not found.
    const coded = await codedOrder(w);
    const sent = await sendProposals({
      ctx: w.ctx,
      actor: w.agp1,
      input: { vacancyId: coded.vacancyId, customerIds: [await addCustomer(w.ctx)] },
      check: matcherPairCheck,
    });
    await expect(
      recordOutcome({
        ctx: w.ctx,
        actor: w.employerB,
        input: { proposalId: sent.proposals[0]!.id, outcome: 'invited' },
      }),
    ).rejects.toBeInstanceOf(NotFound);
  });

  it('updates an order: re-coded and re-matched; a confirmed code survives changes that leave the text alone', async () => {
    const r = await codedOrder(w);
    const log = async () => (await w.ctx.db.select().from(outbox).where(eq(outbox.aggregateId, r.vacancyId))).length;
    const before = await log();
    const kept = await updateOrder({
      ctx: w.ctx,
      actor: w.employerA,
      input: { vacancyId: r.vacancyId, changes: { number_of_positions: 3, licences: ['B'] } },
    });
    expect(kept).toMatchObject({ kldbCode: '29302', kldbNeedsReview: false });
    expect(await log()).toBe(before + 2);
    const recoded = await updateOrder({
      ctx: w.ctx,
      actor: w.employerA,
      input: {
        vacancyId: r.vacancyId,
        changes: { title: 'Fachkraft für Lagerlogistik (m/w/d)', description: 'Kommissionierung im Lager.' },
      },
    });
    expect(recoded.changed).toEqual(['title', 'description']);
    expect(recoded.kldbCode).not.toBe('29302');
    const detail = await getOwnOrder({ ctx: w.ctx, actor: w.employerA, input: { vacancyId: r.vacancyId } });
    expect(detail).toMatchObject({ positions: 3, licences: ['B'], title: 'Fachkraft für Lagerlogistik (m/w/d)' });
    await expect(
      updateOrder({
        ctx: w.ctx,
        actor: w.employerA,
        input: { vacancyId: r.vacancyId, changes: { placement_order: false } },
      }),
    ).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('closes the clock as not applicable on withdrawal or filling before a response', async () => {
    w.ctx.setNow(FRIDAY_4PM);
    const a = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: MINIMAL });
    const b = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: MINIMAL });
    w.ctx.setNow(new Date(FRIDAY_4PM.getTime() + 2 * HOUR));
    await withdrawOrder({ ctx: w.ctx, actor: w.employerA, input: { vacancyId: a.vacancyId } });
    await markOrderFilled({ ctx: w.ctx, actor: w.employerA, input: { vacancyId: b.vacancyId } });
    w.ctx.setNow(new Date(FRIDAY_4PM.getTime() + 60 * HOUR));
    for (const r of [a, b]) {
      expect(await stateOf(w, r.vacancyId)).toBe('not_applicable');
      expect(await fireMilestone(w.ctx, { vacancyId: r.vacancyId, kind: 'breach' })).toEqual({
        status: 'skipped',
        reason: 'clock_stopped',
      });
      expect((await pendingMilestones(w.ctx)).some((m) => m.vacancyId === r.vacancyId)).toBe(false);
    }
    const [events] = await Promise.all([milestoneEvents(w.ctx, a.vacancyId)]);
    expect(events.map((e) => [e.kind, e.reason])).toEqual([
      ['started', null],
      ['not_applicable', 'withdrawn'],
    ]);
    const [filled] = await w.ctx.db.select().from(vacancies).where(eq(vacancies.id, b.vacancyId));
    expect(filled).toMatchObject({ status: 'filled', closeReason: 'filled_otherwise', positionsFilled: 1 });
    await expect(
      withdrawOrder({ ctx: w.ctx, actor: w.employerA, input: { vacancyId: a.vacancyId } }),
    ).rejects.toBeInstanceOf(Conflict);
  });

  it('fills one position per hire, the vacancy when all are, and schedules the follow-ups', async () => {
    w.ctx.setNow(FRIDAY_4PM);
    const r = await codedOrder(w, { number_of_positions: 2, start_date: '2027-01-04' });
    const [c1, c2, c3] = [await addCustomer(w.ctx), await addCustomer(w.ctx), await addCustomer(w.ctx)];
    const sent = await sendProposals({
      ctx: w.ctx,
      actor: w.agp1,
      input: { vacancyId: r.vacancyId, customerIds: [c1, c2, c3] },
      check: matcherPairCheck,
    });
    const [p1, p2, p3] = sent.proposals.map((p) => p.id);
    w.ctx.setNow(new Date(FRIDAY_4PM.getTime() + 3 * DAY));
    await recordOutcome({ ctx: w.ctx, actor: w.employerA, input: { proposalId: p1!, outcome: 'invited' } });
    const first = await recordOutcome({ ctx: w.ctx, actor: w.employerA, input: { proposalId: p1!, outcome: 'hired' } });
    expect(first).toMatchObject({ positionsFilled: 1, positions: 2, vacancyFilled: false, followUpTasks: 2 });
    await expect(
      recordOutcome({ ctx: w.ctx, actor: w.employerA, input: { proposalId: p2!, outcome: 'rejected' } }),
    ).rejects.toBeInstanceOf(ValidationFailed);
    await expect(
      recordOutcome({ ctx: w.ctx, actor: w.employerA, input: { proposalId: p2!, outcome: 'no_reaction' } }),
    ).rejects.toBeInstanceOf(Forbidden);
    const second = await recordOutcome({
      ctx: w.ctx,
      actor: w.agp1,
      input: { proposalId: p2!, outcome: 'hired', startDate: '2027-01-11' },
    });
    expect(second).toMatchObject({ positionsFilled: 2, vacancyFilled: true });
    const [v] = await w.ctx.db.select().from(vacancies).where(eq(vacancies.id, r.vacancyId));
    expect(v).toMatchObject({ status: 'filled', closeReason: 'filled_by_proposal' });
    // The third, still open, is closed with the vacancy.
    const staff = await listProposalsForStaff({ ctx: w.ctx, actor: w.agp1, input: { vacancyId: r.vacancyId } });
    expect(staff.find((p) => p.proposalId === p3)).toMatchObject({
      status: 'withdrawn',
      outcomeReason: 'Stelle besetzt',
    });
    const followUps = await w.ctx.db
      .select({ dueAt: tasks.dueAt, proposalId: tasks.proposalId })
      .from(tasks)
      .where(and(eq(tasks.vacancyId, r.vacancyId), eq(tasks.kind, 'follow_up')))
      .orderBy(tasks.dueAt);
    const berlin9 = (m: number, d: number) => zonedInstant({ year: 2027, month: m, day: d, hour: 9 });
    expect(followUps.map((f) => [f.proposalId, f.dueAt])).toEqual([
      [p1, berlin9(1, 18)],
      [p2, berlin9(1, 25)],
      [p1, berlin9(4, 4)],
      [p2, berlin9(4, 11)],
    ]);
    const summary = await slaSummary({ ctx: w.ctx, actor: w.admin, input: { from: '2026-11-20', to: '2026-11-21' } });
    expect(summary.total.placement.filled).toBeGreaterThanOrEqual(1);
    expect(summary.total.placement.proposals).toBeGreaterThanOrEqual(3);
  });

  it('enforces the caps from the rules, and answers why not when a rule fails', async () => {
    const r = await codedOrder(w);
    const capped = { ...w.ctx, slaRules: slaRules({ caps: { perVacancy: 2, perCustomer: 1 } }) };
    const [c1, c2, c3] = [await addCustomer(w.ctx), await addCustomer(w.ctx), await addCustomer(w.ctx)];
    const tooMany = await sendProposals({
      ctx: capped,
      actor: w.agp1,
      input: { vacancyId: r.vacancyId, customerIds: [c1, c2, c3] },
      check: matcherPairCheck,
    }).catch((e) => e);
    expect(tooMany).toBeInstanceOf(ProposalsRefused);
    expect((tooMany as ProposalsRefused).refusals.map((x) => x.failed.map((f) => f.code))).toEqual([
      ['vacancy_cap'],
      ['vacancy_cap'],
      ['vacancy_cap'],
    ]);
    await sendProposals({
      ctx: capped,
      actor: w.agp1,
      input: { vacancyId: r.vacancyId, customerIds: [c1, c2] },
      check: matcherPairCheck,
    });
    // c1 has an open proposal: at the per-customer cap of 1 for another vacancy.
    const r2 = await codedOrder(w);
    const busy = await sendProposals({
      ctx: capped,
      actor: w.agp1,
      input: { vacancyId: r2.vacancyId, customerIds: [c1] },
      check: matcherPairCheck,
    }).catch((e) => e);
    expect((busy as ProposalsRefused).refusals[0]!.failed.map((f) => f.code)).toEqual(['customer_cap']);

    // The matcher's rules, re-checked at send time: no consent, another profile group, too far, other branch.
    const noConsent = await addCustomer(w.ctx, { consent: false });
    const complex = await addCustomer(w.ctx, { profileGroup: 'complex' });
    const far = await addCustomer(w.ctx, { plz: '20095', maxCommuteKm: 10 });
    const elsewhere = await addCustomer(w.ctx, { branchId: 2 });
    const refused = await sendProposals({
      ctx: w.ctx,
      actor: w.agp1,
      input: { vacancyId: r2.vacancyId, customerIds: [noConsent, complex, far, elsewhere] },
      check: matcherPairCheck,
    }).catch((e) => e);
    const codes = Object.fromEntries(
      (refused as ProposalsRefused).refusals.map((x) => [x.customerId, x.failed.map((f) => f.code)]),
    );
    expect(codes[noConsent]).toEqual(['consent']);
    expect(codes[complex]).toEqual(['profile_group']);
    expect(codes[far]).toEqual(['commute']);
    expect(codes[elsewhere]).toEqual(['branch']);
    const refusalsAudited = await w.ctx.db
      .select({ n: count() })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'proposal.refuse'), eq(auditLog.objectId, noConsent)));
    expect(refusalsAudited[0]!.n).toBe(1);
    // A caseworker of another branch may not propose for this branch's order at all.
    await expect(
      sendProposals({
        ctx: w.ctx,
        actor: w.other,
        input: { vacancyId: r2.vacancyId, customerIds: [elsewhere] },
        check: matcherPairCheck,
      }),
    ).rejects.toBeInstanceOf(Forbidden);
  });

  it('reminds the caseworker of proposals without employer reaction after 14 days, once', async () => {
    w.ctx.setNow(FRIDAY_4PM);
    const r = await codedOrder(w);
    const c = await addCustomer(w.ctx);
    const sent = await sendProposals({
      ctx: w.ctx,
      actor: w.agp1,
      input: { vacancyId: r.vacancyId, customerIds: [c] },
      check: matcherPairCheck,
    });
    w.ctx.setNow(new Date(FRIDAY_4PM.getTime() + 13 * DAY));
    const early = await createDueReactionReminders(w.ctx);
    w.ctx.setNow(new Date(FRIDAY_4PM.getTime() + 15 * DAY));
    const due = await createDueReactionReminders(w.ctx);
    const again = await createDueReactionReminders(w.ctx);
    const reminders = await w.ctx.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.kind, 'reaction_reminder'), eq(tasks.proposalId, sent.proposals[0]!.id)));
    expect(reminders).toHaveLength(1);
    expect(early.created).toBe(0);
    expect(due.created).toBeGreaterThanOrEqual(1);
    expect(again.created).toBe(0);
  });

  it('moves postcodes between catchments (admins) and assigns orders round robin without a named contact', async () => {
    await expect(
      setCatchment({ ctx: w.ctx, actor: w.lead, input: { branchId: 2, plz: ['70174'] } }),
    ).rejects.toBeInstanceOf(Forbidden);
    const moved = await setCatchment({ ctx: w.ctx, actor: w.admin, input: { branchId: 2, plz: ['70372', '70174'] } });
    expect(moved.moved).toEqual([{ plz: '70174', fromBranchId: 1 }]);
    expect((await branchForPlz(w.ctx, '70174'))?.id).toBe(2);
    await setCatchment({ ctx: w.ctx, actor: w.admin, input: { branchId: 1, plz: ['70173', '70174'] } });

    await setEmployerContact({
      ctx: w.ctx,
      actor: w.admin,
      input: { employerId: w.employerA.employerId!, caseworkerId: null },
    });
    const assigned = [];
    for (let i = 0; i < 4; i++) {
      assigned.push((await submitOrder({ ctx: w.ctx, actor: w.employerA, input: MINIMAL })).caseworker?.id);
    }
    expect(new Set(assigned).size).toBe(2);
    expect(assigned[0]).toBe(assigned[2]);
    expect(assigned[1]).toBe(assigned[3]);
  });

  it('scopes the SLA views: own branch for caseworkers and leads, all for admins', async () => {
    const summary = await slaSummary({
      ctx: w.ctx,
      actor: w.admin,
      input: { from: '2026-11-01', to: '2026-12-31', groupBy: 'branch' },
    });
    expect(summary.groups.map((g) => g.key)).toEqual(['1']);
    expect(summary.groups[0]!.label).toBe('Zweigstelle Mitte (Test)');
    expect(summary.total.orders).toBe(summary.groups[0]!.orders);
    expect(Object.values(summary.total.counts).reduce((a, b) => a + b, 0)).toBe(summary.total.orders);
    expect(summary.total.medianResponseHours).not.toBeNull();
    expect(summary.total.p90ResponseHours).toBeGreaterThanOrEqual(summary.total.medianResponseHours!);
    const weekly = await slaSummary({
      ctx: w.ctx,
      actor: w.admin,
      input: { from: '2026-11-01', to: '2026-12-31', groupBy: 'week' },
    });
    expect(weekly.groups[0]!.key).toBe('2026-W47');
    await expect(slaSummary({ ctx: w.ctx, actor: w.other, input: { branch: 1 } })).rejects.toBeInstanceOf(Forbidden);
    expect(await listSlaVacancies({ ctx: w.ctx, actor: w.other })).toEqual([]);
    await expect(listSlaVacancies({ ctx: w.ctx, actor: w.employerA })).rejects.toBeInstanceOf(Forbidden);
    const breached = await listSlaVacancies({ ctx: w.ctx, actor: w.lead, input: { state: 'breached' } });
    expect(breached.every((v) => v.state === 'breached')).toBe(true);
    const dues = breached.map((v) => v.dueAt.getTime());
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
  });
});

describe.each(testDatabases())('the business calendar on $name', (factory) => {
  it('puts the due time of an order received before Whitsun after the weekend and Whit Monday', async () => {
    const database = await openMigrated(factory);
    try {
      const w = await setupWorld(database, slaRules({ calendar: 'business' }));
      // Friday 22 May 2026, 16:00: Saturday, Sunday and Whit Monday do not count.
      w.ctx.setNow(zonedInstant({ year: 2026, month: 5, day: 22, hour: 16 }));
      const r = await submitOrder({ ctx: w.ctx, actor: w.employerA, input: MINIMAL });
      expect(r.slaDueAt).toBe(zonedInstant({ year: 2026, month: 5, day: 27, hour: 16 }).toISOString());
      const pending = (await pendingMilestones(w.ctx)).filter((m) => m.vacancyId === r.vacancyId);
      expect(pending.map((m) => m.dueAt)).toEqual([
        zonedInstant({ year: 2026, month: 5, day: 26, hour: 16 }),
        zonedInstant({ year: 2026, month: 5, day: 27, hour: 8 }),
        zonedInstant({ year: 2026, month: 5, day: 27, hour: 16 }),
      ]);
      const [started] = await w.ctx.db
        .select()
        .from(slaEvents)
        .where(and(eq(slaEvents.vacancyId, r.vacancyId), eq(slaEvents.kind, 'started')));
      expect(started?.dueAt?.toISOString()).toBe(r.slaDueAt);
    } finally {
      await database.close();
    }
  });
});

async function countVacancies(ctx: Ctx): Promise<number> {
  const [row] = await ctx.db.select({ n: count() }).from(vacancies);
  return row!.n;
}
