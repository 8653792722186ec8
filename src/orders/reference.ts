/**
 * Order numbers: `JB-<year>-<6 digits>`, e.g. JB-2026-004711. The number comes from a database sequence, so
 * concurrent orders never share one; an order that rolls back leaves a gap, which is harmless (numbers need to be
 * unique and readable, not dense). The year is the year of receipt in Berlin.
 */
import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { localTime } from '../sla/calendar.ts';

export function formatReference(year: number, n: number): string {
  return `JB-${year}-${String(n).padStart(6, '0')}`;
}

export async function nextReference(tx: Ctx, receivedAt: Date): Promise<string> {
  const result = await tx.db.execute<{ n: string | number }>(sql`select nextval('order_reference_seq') as n`);
  const [row] = (result as unknown as { rows: Array<{ n: string | number }> }).rows;
  return formatReference(localTime(receivedAt).year, Number(row!.n));
}
