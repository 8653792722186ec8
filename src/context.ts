/**
 * The dependency bag every domain verb takes. Verbs are the only path to state: HTTP routes, the CLI and queue
 * processors call them with a context.
 */
import type { Db } from './db/client.ts';
import type { Logger } from './logging.ts';
import type { SlaRules } from './sla/rules.ts';

export interface Ctx {
  db: Db;
  log: Logger;
  now(): Date;
  /**
   * The rules of the employer promise, from the configuration (set by the composition root, bin/container.ts).
   * Verbs read them through `rulesOf(ctx)`; absent, the defaults apply, so tests set them only when they vary them.
   */
  slaRules?: SlaRules;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const txMarker = Symbol('inTransaction');

/** Runs fn in a transaction, reusing an outer one when ctx already is inside a transaction. */
export async function withTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if ((ctx as Ctx & { [txMarker]?: true })[txMarker]) return fn(ctx);
  return ctx.db.transaction(async (tx: Tx) => fn({ ...ctx, db: tx as unknown as Db, [txMarker]: true } as Ctx));
}
