/** Small pieces every audience's JSON uses: times as ISO strings, and page-wise lists. */
import { z } from 'zod';
import { queryInteger } from './validate.ts';

export const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/**
 * The largest value of the database's integer columns (branch ids): a larger number names no branch, and PostgreSQL
 * would refuse it as out of range, failing the request with a 500 instead of a clear refusal.
 */
export const MAX_INTEGER_ID = 2_147_483_647;

/** A branch id in a query string or path. */
export const queryBranchId = queryInteger.pipe(z.number().int().min(1).max(MAX_INTEGER_ID));

/** `page` (from 1, at most 1,000) and `per_page` in a query string, as the public search takes them. */
export function pageParams(maxPerPage: number, defaultPerPage: number) {
  return {
    page: queryInteger.pipe(z.number().min(1).max(1000)).default(1),
    per_page: queryInteger.pipe(z.number().min(1).max(maxPerPage)).default(defaultPerPage),
  };
}

/** The verb's limit and offset for a page, asking one more than shown to learn whether a next page exists. */
export function pageWindow({ page, per_page }: { page: number; per_page: number }) {
  return { limit: per_page + 1, offset: (page - 1) * per_page };
}

/** The page's items and where the list goes on; `next_page` is null on the last page. */
export function pageJson<T, J>(rows: T[], { page, per_page }: { page: number; per_page: number }, toJson: (t: T) => J) {
  return {
    items: rows.slice(0, per_page).map(toJson),
    page,
    per_page,
    next_page: rows.length > per_page ? page + 1 : null,
  };
}
