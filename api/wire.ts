/** Small pieces every audience's JSON uses: times as ISO strings, and page-wise lists. */
import { z } from 'zod';
import { queryInteger } from './validate.ts';

export const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

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
