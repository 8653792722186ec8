/**
 * Row ids are PostgreSQL uuids: any 8-4-4-4-12 hex string the column accepts, not only RFC 4122 versions (ids
 * imported from other systems need not be). Checked before a query so a malformed id is "not found", never a 500.
 */
import { z } from 'zod';

export const RowId = z.guid();

export function isRowId(value: string): boolean {
  return RowId.safeParse(value).success;
}
