/**
 * The command line acts as an operator: with an administrator's rights (whoever may run it on the server may open
 * the database anyway) but without a user account. Verbs that take an actor get this one; their audit rows then name
 * the operator's login instead of a user id (src/audit/record.ts), as `jobbruecke match` records its reads.
 */
import type { Actor } from '../../src/audit/record.ts';

/** No user has this id, and the audit trail never stores it: rows of an operator name the login instead. */
const NO_USER = '00000000-0000-0000-0000-000000000000';

/** The actor for a command run by `operator` (the login name, also when the command was forwarded to the service). */
export function operatorActor(operator: string): Actor {
  return { userId: NO_USER, role: 'admin', branchId: null, employerId: null, operator };
}
