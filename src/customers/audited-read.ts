/**
 * Reads of social data are logged whatever happens (§ 67c SGB X): the audit row is written in `finally`, so an error,
 * a refusal or a missing record is logged too, and a failing audit write fails the read instead of serving data
 * that left no trace.
 */
import { type AuditEntry, recordAudit } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { AppError } from '../errors.ts';

export async function auditedRead<T>(
  ctx: Ctx,
  entry: AuditEntry,
  read: () => Promise<T>,
  describe: (result: T) => Record<string, unknown> = () => ({}),
): Promise<T> {
  let detail: Record<string, unknown> = { outcome: 'error' };
  try {
    const result = await read();
    detail = { outcome: 'ok', ...describe(result) };
    return result;
  } catch (err) {
    detail = { outcome: err instanceof AppError ? err.code : 'error' };
    throw err;
  } finally {
    await recordAudit(ctx, { ...entry, detail: { ...entry.detail, ...detail } });
  }
}
