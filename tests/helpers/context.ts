import type { Ctx } from '../../src/context.ts';
import type { Db } from '../../src/db/client.ts';
import { createLogger } from '../../src/logging.ts';

/** A context with a silent logger and an adjustable clock. */
export function testContext(db: Db, now = new Date('2026-11-20T09:00:00Z')): Ctx & { setNow(d: Date): void } {
  let current = now;
  return {
    db,
    log: createLogger('silent'),
    now: () => current,
    setNow: (d) => {
      current = d;
    },
  };
}
