/**
 * A page of rows read as one JSON text instead of row by row. The embedded database (PGlite) hands every cell of a
 * result through its wire protocol and JavaScript type parsers, which made reading 100,000 vacancies for the
 * matcher take seconds; the same page built by the database as one `json_agg` and parsed once reads about three
 * times faster (docs/matching.md, "Start"). Each value then goes through its Drizzle column's own mapping, so rows
 * come out as `db.select(columns)` returns them (tests/integration/match-load.test.ts compares both).
 */
import { type Column, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Ctx } from '../../src/context.ts';

export interface JsonPage {
  from: PgTable;
  where: SQL | undefined;
  /** A unique column: the page's order, and the keyset the next page starts after. */
  orderBy: PgColumn;
  limit: number;
}

/**
 * The rows of `columns` in `orderBy` order, as `ctx.db.select(columns)` with the same clauses would return them.
 * `R` is that select's row type; the caller names it.
 */
export async function selectAsJson<R>(
  ctx: Ctx,
  columns: Record<keyof R & string, Column>,
  { from, where, orderBy, limit }: JsonPage,
): Promise<R[]> {
  const keys = Object.keys(columns) as Array<keyof R & string>;
  const list = keys.map((key) => columns[key]);
  const page = sql`(select ${sql.join(list, sql`, `)} from ${from}${where ? sql` where ${where}` : sql``} order by ${orderBy} limit ${limit}) as page`;
  // Inside the page the columns are named as in the table; the outer query refers to them by that name.
  const values = sql.join(
    list.map((column) => sql.identifier(column.name)),
    sql`, `,
  );
  const result = await ctx.db.execute<{ rows: string }>(
    sql`select coalesce(json_agg(json_build_array(${values}) order by ${sql.identifier(orderBy.name)}), '[]')::text as rows from ${page}`,
  );
  const [row] = (result as unknown as { rows: Array<{ rows: string }> }).rows;
  const tuples = JSON.parse(row?.rows ?? '[]') as unknown[][];
  return tuples.map((tuple) => {
    const out = {} as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) {
      const value = tuple[i];
      out[keys[i] as string] = value === null ? null : (list[i] as Column).mapFromDriverValue(value);
    }
    return out as R;
  });
}
