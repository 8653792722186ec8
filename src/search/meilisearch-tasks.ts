/**
 * Waiting for Meilisearch tasks (every write is one). A task is polled until it finishes or a bound passes; a long
 * wait (a settings change re-indexes every document) is logged at intervals, and a wait that runs out says so
 * instead of hanging: the server keeps working on the task, and the next start finds it applied.
 */
import { type EnqueuedTask, type Meilisearch, MeilisearchApiError, type Task } from 'meilisearch';
import type { Logger } from '../logging.ts';

export type MeiliLog = Pick<Logger, 'info' | 'warn' | 'error'>;

/** Codes with which Meilisearch refuses a document (or a payload) itself: sending it again cannot succeed. */
const DOCUMENT_REJECTIONS = new Set([
  'invalid_document_geo_field',
  'invalid_document_geojson_field',
  'invalid_document_id',
  'missing_document_id',
  'max_fields_limit_exceeded',
  'malformed_payload',
  'payload_too_large',
]);

/** A task that finished without success, with Meilisearch's error code. */
export class MeilisearchTaskFailed extends Error {
  constructor(
    readonly task: Task,
    readonly indexUid: string,
  ) {
    const reason = task.error ? `${task.error.code}: ${task.error.message}` : task.status;
    super(`Meilisearch task ${task.uid} (${task.type}) on index ${indexUid} ${task.status}: ${reason}`);
    this.name = 'MeilisearchTaskFailed';
  }

  get code(): string | undefined {
    return this.task.error?.code;
  }
}

/** A task still enqueued or processing when the wait ran out. */
export class MeilisearchTaskPending extends Error {
  constructor(
    readonly taskUid: number,
    readonly status: string,
    readonly waitedMs: number,
    what: string,
  ) {
    super(
      `Meilisearch task ${taskUid} (${what}) is still ${status} after ${Math.round(waitedMs / 1000)} s; ` +
        'the server goes on with it. Start again later, or raise the wait (MeilisearchEngineOptions).',
    );
    this.name = 'MeilisearchTaskPending';
  }
}

/** Whether an error is Meilisearch refusing the documents themselves (or their size), as opposed to a fault. */
export function isDocumentRejection(error: unknown): boolean {
  if (error instanceof MeilisearchTaskFailed) return DOCUMENT_REJECTIONS.has(error.code ?? '');
  if (error instanceof MeilisearchApiError) return DOCUMENT_REJECTIONS.has(error.cause?.code ?? '');
  return false;
}

export function apiErrorCode(error: unknown): string | undefined {
  return error instanceof MeilisearchApiError ? error.cause?.code : undefined;
}

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Poll interval. */
  intervalMs: number;
  /** Log "still waiting" this often. */
  progressMs: number;
  /** Words for the log and the error, e.g. "settings update". */
  what: string;
  /** An error code that counts as success (e.g. index_already_exists). */
  allow?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls one task until it has finished; throws `MeilisearchTaskFailed` or `MeilisearchTaskPending`. */
export async function waitForTask(
  client: Meilisearch,
  log: MeiliLog,
  enqueued: EnqueuedTask,
  indexUid: string,
  options: WaitOptions,
): Promise<Task> {
  const started = Date.now();
  let nextProgress = started + options.progressMs;
  for (;;) {
    const task = await client.tasks.getTask(enqueued.taskUid);
    if (task.status === 'succeeded') return task;
    if (task.status === 'failed' || task.status === 'canceled') {
      if (options.allow && task.error?.code === options.allow) return task;
      throw new MeilisearchTaskFailed(task, indexUid);
    }
    const now = Date.now();
    if (now - started >= options.timeoutMs) {
      log.error(
        { taskUid: task.uid, status: task.status, index: indexUid, waitedMs: now - started },
        `gave up waiting for the Meilisearch ${options.what}`,
      );
      throw new MeilisearchTaskPending(task.uid, task.status, now - started, options.what);
    }
    if (now >= nextProgress) {
      log.info(
        {
          taskUid: task.uid,
          status: task.status,
          index: indexUid,
          waitedMs: now - started,
          limitMs: options.timeoutMs,
        },
        `still waiting for the Meilisearch ${options.what}`,
      );
      nextProgress = now + options.progressMs;
    }
    await sleep(Math.min(options.intervalMs, Math.max(1, options.timeoutMs - (now - started))));
  }
}
