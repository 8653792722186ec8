/**
 * Reads of social data are logged whatever happens (§ 67c SGB X): an error, a refusal or a missing record is logged
 * too. A failing audit write fails a read that succeeded, instead of serving data that left no trace; a read that
 * failed keeps its own answer (a refusal stays a refusal, not a 500), and the lost audit row is logged.
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
  let result: T;
  try {
    result = await read();
  } catch (err) {
    await recordFailedAttempt(ctx, entry, err);
    throw err;
  }
  await recordAudit(ctx, { ...entry, detail: { ...entry.detail, outcome: 'ok', ...describe(result) } });
  return result;
}

/**
 * The trail's entry for a read or change that failed or was refused, with the error's code as its outcome. The
 * caller keeps its own answer: a lost entry is logged rather than turning a refusal into a 500.
 */
export async function recordFailedAttempt(ctx: Ctx, entry: AuditEntry, err: unknown): Promise<void> {
  const outcome = err instanceof AppError ? err.code : 'error';
  await recordAudit(ctx, { ...entry, detail: { ...entry.detail, outcome } }).catch((auditError: unknown) =>
    ctx.log.error(
      { err: (auditError as Error).message, objectType: entry.objectType },
      'could not audit a failed attempt',
    ),
  );
}
