/**
 * Who may see and change which order. Employers: the vacancies of their own employer only; any other id is "not
 * found", so an employer cannot even learn that it exists. Staff: caseworkers and branch leads the orders of their
 * branch (and vacancies no branch has taken, i.e. crawled ones), admins all, as for coding (src/vacancies/coding.ts).
 */
import { eq } from 'drizzle-orm';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { vacancies } from '../db/schema.ts';
import { isRowId } from '../domain/ids.ts';
import { Forbidden, NotFound } from '../errors.ts';
import type { VacancyRow } from '../vacancies/vacancy.ts';

export const STAFF_ROLES = new Set(['caseworker', 'branch_lead', 'admin']);

export function isStaff(actor: Actor): boolean {
  return STAFF_ROLES.has(actor.role);
}

export function assertStaff(actor: Actor, message = 'Nur Beschäftigte des Jobcenters können das tun'): void {
  if (!isStaff(actor)) throw new Forbidden(message);
}

/** The employer an employer user acts for; anyone else is refused. */
export function employerOf(actor: Actor): string {
  if (actor.role !== 'employer' || !actor.employerId) {
    throw new Forbidden('Nur Arbeitgeberkonten können Stellen melden und verwalten');
  }
  return actor.employerId;
}

async function readVacancy(tx: Ctx, vacancyId: string, lock: boolean): Promise<VacancyRow | undefined> {
  if (!isRowId(vacancyId)) return undefined;
  const query = tx.db.select().from(vacancies).where(eq(vacancies.id, vacancyId));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** One of the employer's own vacancies, optionally locked; another employer's or an unknown id is NotFound. */
export async function ownVacancy(tx: Ctx, actor: Actor, vacancyId: string, { lock = false } = {}) {
  const employerId = employerOf(actor);
  const row = await readVacancy(tx, vacancyId, lock);
  if (!row || row.employerId !== employerId) throw new NotFound('Stelle', vacancyId);
  return row;
}

export function mayHandleVacancy(actor: Actor, vacancy: Pick<VacancyRow, 'branchId'>): boolean {
  if (actor.role === 'admin') return true;
  if (!isStaff(actor)) return false;
  return vacancy.branchId === null || vacancy.branchId === actor.branchId;
}

/** A vacancy for a caseworker, branch lead or admin: NotFound if unknown, Forbidden in another branch. */
export async function staffVacancy(tx: Ctx, actor: Actor, vacancyId: string, { lock = false } = {}) {
  assertStaff(actor);
  const row = await readVacancy(tx, vacancyId, lock);
  if (!row) throw new NotFound('Stelle', vacancyId);
  if (!mayHandleVacancy(actor, row)) throw new Forbidden('Diese Stelle gehört zu einer anderen Zweigstelle');
  return row;
}

/** Either an employer's own vacancy or a vacancy the staff member may handle. */
export async function vacancyFor(tx: Ctx, actor: Actor, vacancyId: string, { lock = false } = {}) {
  return actor.role === 'employer'
    ? ownVacancy(tx, actor, vacancyId, { lock })
    : staffVacancy(tx, actor, vacancyId, { lock });
}
