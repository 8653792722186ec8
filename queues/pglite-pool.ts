/**
 * A node-postgres-shaped pool over the process's one PGlite instance, so that BullMQ's PostgreSQL backend keeps its
 * queues in the embedded database, in-process: one data directory and one backup hold data and queue state.
 *
 * Why not @electric-sql/pglite-socket (a TCP server in front of PGlite that pg clients connect to):
 * - Its multiplexer runs client messages under PGlite's query lock only, not its transaction lock, so a queue
 *   statement could run inside one of the application's open transactions (an ingest batch), or the other way round.
 *   Here every statement goes through `PGlite.query`/`exec`, which wait for open transactions, and a client's
 *   BEGIN … COMMIT runs as one `PGlite.transaction`.
 * - NOTIFY reaches only the socket of the connection that sent it, so workers had to poll (`drainDelay`). In-process,
 *   PGlite hands every notification of the session to `onNotification`, and this pool passes it to its clients:
 *   a worker wakes as soon as a job is added.
 * - It pins an exact PGlite version as a peer dependency, with seven extension packages.
 *
 * Values cross the way they do with node-postgres: parameters are prepared to text by `pg.utils.prepareValue` (the
 * server infers their types), and results are parsed by pg's type parsers, because BullMQ's backend is written
 * against pg (int8 arrives as a string, for example).
 */
import { EventEmitter } from 'node:events';
import type { PGlite, Results, Transaction } from '@electric-sql/pglite';
import type { PgPool, PgPoolClient, PgQueryResult } from 'bullmq';
import pg from 'pg';

/** pg's own conversion of a parameter to text, which @types/pg does not declare. */
const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils;

/** Parameters are text already (prepared like pg does); PGlite must not serialize them again by their type. */
const asText = new Proxy({} as Record<number, (value: unknown) => string>, { get: () => (value: string) => value });

/** pg's parser for every type either library knows; PGlite merges this object into its own parsers. */
function pgParsers(pglite: PGlite): Record<number, (value: string) => unknown> {
  const oids = new Set([...Object.keys(pglite.parsers).map(Number), ...Object.values(pg.types.builtins)]);
  return Object.fromEntries([...oids].map((oid) => [oid, pg.types.getTypeParser(oid, 'text')]));
}

type Target = Pick<PGlite | Transaction, 'query' | 'exec'>;

/** Runs one statement the way pg would: without parameters as a simple query (which may hold several statements). */
async function run(
  target: Target,
  parsers: Record<number, (value: string) => unknown>,
  text: string,
  params?: readonly unknown[],
): Promise<PgQueryResult> {
  let result: Results;
  if (!params || params.length === 0) {
    result = (await target.exec(text, { parsers })).at(-1) ?? { rows: [], fields: [] };
  } else {
    result = await target.query(text, params.map(prepareValue), {
      parsers,
      serializers: asText,
    });
  }
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
}

/** BullMQ's migrator sends exactly these to open and close its transaction. */
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK)\s*;?\s*$/i;

class PgliteClient extends EventEmitter implements PgPoolClient {
  #open: { tx: Transaction; end(rollback: boolean): Promise<void> } | undefined;

  constructor(
    private readonly pglite: PGlite,
    private readonly parsers: Record<number, (value: string) => unknown>,
    private readonly onRelease: (client: PgliteClient) => void,
  ) {
    super();
  }

  async query<R = unknown>(text: string, params?: readonly unknown[]): Promise<PgQueryResult<R>> {
    const control = TRANSACTION_CONTROL.exec(text)?.[1]?.toUpperCase();
    if (control === 'BEGIN' && !this.#open) {
      this.#open = await this.#begin();
      return { rows: [], rowCount: 0 };
    }
    if ((control === 'COMMIT' || control === 'ROLLBACK') && this.#open) {
      const open = this.#open;
      this.#open = undefined;
      await open.end(control === 'ROLLBACK');
      return { rows: [], rowCount: 0 };
    }
    return run(this.#open?.tx ?? this.pglite, this.parsers, text, params) as Promise<PgQueryResult<R>>;
  }

  /** Holds a PGlite transaction open until COMMIT or ROLLBACK; nothing else runs on the database meanwhile. */
  #begin(): Promise<{ tx: Transaction; end(rollback: boolean): Promise<void> }> {
    return new Promise((opened, failed) => {
      let decide: (rollback: boolean) => void = () => {};
      const decided = new Promise<boolean>((resolve) => {
        decide = resolve;
      });
      const done: Promise<void> = this.pglite.transaction(async (tx) => {
        opened({
          tx,
          end: async (rollback) => {
            decide(rollback);
            // A failed COMMIT reaches the caller here.
            await done;
          },
        });
        if (await decided) await tx.rollback();
      });
      // Only a transaction that could not begin ends here: once opened, `failed` no longer settles anything.
      done.catch(failed);
    });
  }

  release(): void {
    // A client handed back inside a transaction must not keep the database locked.
    void this.#open?.end(true).catch(() => {});
    this.#open = undefined;
    this.removeAllListeners();
    this.onRelease(this);
  }
}

export interface PglitePool extends PgPool {
  /** Read by BullMQ: no connection can drop in-process, so a worker may block for long between jobs. */
  options: { keepAlive: true };
}

/** The pool does not own the PGlite instance: ending it leaves the database open for the application. */
export function pglitePool(pglite: PGlite): PglitePool {
  const clients = new Set<PgliteClient>();
  const parsers = pgParsers(pglite);
  let ended = false;
  const stopNotifications = pglite.onNotification((channel, payload) => {
    for (const client of clients) client.emit('notification', { channel, payload });
  });
  const pool: PglitePool = {
    options: { keepAlive: true },
    async query(text, params) {
      if (ended) throw new Error('Cannot use a pool after calling end on the pool');
      return run(pglite, parsers, text, params);
    },
    async connect() {
      if (ended) throw new Error('Cannot use a pool after calling end on the pool');
      const client = new PgliteClient(pglite, parsers, (released) => clients.delete(released));
      clients.add(client);
      return client;
    },
    async end() {
      ended = true;
      stopNotifications();
      for (const client of clients) client.release();
    },
    // PGlite has no connections to lose or open: the pool never emits 'error' or 'connect'.
    on: () => pool,
    removeAllListeners: () => pool,
  };
  return pool;
}
