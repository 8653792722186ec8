/**
 * One sub-app per audience (public kiosk, caseworkers, employers, admins), each mounted with its guard (rate limit or
 * authentication) in front of every one of its routes.
 *
 * Why not `sub.use(guard)` and `app.route(base, sub)`: Hono merges a sub-app's middleware into the parent under the
 * mount path, so the guard of one audience would cover every path below the shared prefix (the kiosk's
 * `/vacancies/:id` and the caseworkers' `/vacancies/:id/matches` share `/api/v1/vacancies`), and which guard ran
 * would depend on the order of registration. Here the guard travels with each route instead.
 */
import type { Env, Hono, MiddlewareHandler } from 'hono';

function joinPaths(base: string, path: string): string {
  const joined = `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
}

/**
 * Registers every route of `audience` on `parent` below `base`, each behind `guard`. Audience apps hold routes only:
 * middleware registered with `use()` on them would bypass this, so it is refused at start.
 */
export function mountAudience<E extends Env, A extends Env>(
  parent: Hono<E>,
  base: string,
  audience: Hono<A>,
  guard: MiddlewareHandler,
): void {
  // A route declared with its own middleware (`get(path, validate, handler)`) appears once per handler.
  const handlers = new Map<string, { method: string; path: string; chain: MiddlewareHandler[] }>();
  for (const route of audience.routes) {
    if (route.method === 'ALL') {
      throw new Error(
        `audience apps take routes only, not middleware (${route.path}); pass the guard to mountAudience`,
      );
    }
    const key = `${route.method} ${route.path}`;
    const entry = handlers.get(key) ?? { method: route.method, path: route.path, chain: [] };
    entry.chain.push(route.handler as MiddlewareHandler);
    handlers.set(key, entry);
  }
  for (const { method, path, chain } of handlers.values()) {
    parent.on(method, joinPaths(base, path), guard, ...chain);
  }
}
