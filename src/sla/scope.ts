/** Which branch's SLA figures an actor may read: caseworkers and branch leads their own, admins any or all. */
import type { Actor } from '../audit/record.ts';
import { Forbidden } from '../errors.ts';

/** The branch to filter by, or null for all branches (admins only). */
export function slaScope(actor: Actor, requested: number | undefined): number | null {
  if (actor.role === 'admin') return requested ?? null;
  if ((actor.role === 'caseworker' || actor.role === 'branch_lead') && actor.branchId !== null) {
    if (requested !== undefined && requested !== actor.branchId) {
      throw new Forbidden('SLA-Zahlen anderer Zweigstellen sind nicht sichtbar');
    }
    return actor.branchId;
  }
  throw new Forbidden('Keine Berechtigung für SLA-Zahlen');
}
