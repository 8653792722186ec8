/**
 * The queue dashboard for admins (bull-board with its Hono adapter) at /admin/queues. bull-board 9.10 reads BullMQ 6
 * queues on every backend: on the PostgreSQL backends it reports the database instead of Redis. Behind the admin
 * token (`Authorization: Bearer …`) until the pages issue brings sign-in sessions; see docs/operations.md.
 *
 * Its page needs inline styles, which the app's policy forbids; api/app.ts relaxes the policy for this path only.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Env, Hono, MiddlewareHandler } from 'hono';
import type { AnyQueue } from '../../queues/queues.ts';
import type { Ctx } from '../../src/context.ts';
import { auth } from '../middleware/auth.ts';
import type { AuthThrottle } from '../middleware/auth-throttle.ts';

export const QUEUE_BOARD_PATH = '/admin/queues';

export function mountQueueBoard<E extends Env>(
  app: Hono<E>,
  { ctx, queues, throttle }: { ctx: Ctx; queues: readonly AnyQueue[]; throttle: AuthThrottle },
): void {
  const adapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_BOARD_PATH);
  // Its types name the Redis queue only; at run time it reads any backend through `queue.getBackend()`.
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue as never)), serverAdapter: adapter });
  const admin = auth({ ctx, roles: ['admin'], throttle }) as unknown as MiddlewareHandler;
  // Registered before the board's routes, so every page, asset and API call of it passes the admin check first.
  app.use(QUEUE_BOARD_PATH, admin);
  app.use(`${QUEUE_BOARD_PATH}/*`, admin);
  app.route(QUEUE_BOARD_PATH, adapter.registerPlugin() as unknown as Hono<E>);
}
