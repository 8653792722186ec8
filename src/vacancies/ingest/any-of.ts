import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * `column = any($1)` with the values as one array parameter. `inArray` binds one parameter per value, and a batch's
 * lookups carry hundreds to thousands of them.
 */
export function anyOf(column: AnyPgColumn, values: readonly string[], type: 'text' | 'uuid'): SQL {
  return sql`${column} = any(${sql.param([...values])}::${sql.raw(type)}[])`;
}
