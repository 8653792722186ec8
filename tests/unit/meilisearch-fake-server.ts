/**
 * A small stand-in for a Meilisearch server, answering the routes the adapter uses the way the real one documents
 * them (tasks, error codes, displayedAttributes on search, the payload limit), and recording every request.
 * Search understands only what the adapter's own bookkeeping needs (`key = "…"` filters, limit 0); relevance is
 * the contract suite's business against a real server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Doc = Record<string, unknown>;
interface FakeIndex {
  primaryKey: string | null;
  createdAt: string;
  settings: Record<string, unknown>;
  docs: Map<string, Doc>;
}
interface FakeTask {
  uid: number;
  indexUid: string | null;
  type: string;
  status: 'enqueued' | 'processing' | 'succeeded' | 'failed';
  error: { code: string; message: string; type: string; link: string } | null;
  details?: Record<string, unknown>;
  enqueuedAt: string;
  finishedAt: string | null;
  /** Polls for which the task still reports "processing". */
  polls: number;
  run: () => void;
}
export interface RecordedRequest {
  method: string;
  path: string;
  bytes: number;
  body: unknown;
}

class TaskError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export interface FakeOptions {
  version?: string;
  key?: string;
  /** Bytes; larger document bodies get 413 payload_too_large. @defaultValue 100 MB */
  payloadLimit?: number;
}

export class FakeMeilisearch {
  readonly requests: RecordedRequest[] = [];
  readonly indexes = new Map<string, FakeIndex>();
  readonly tasks: FakeTask[] = [];
  version: string;
  key: string | undefined;
  payloadLimit: number;
  /** Polls a settings task stays "processing". */
  settingsPolls = 0;
  /** A document this returns a code for makes its whole upload task fail with that code. */
  rejectDocument: (doc: Doc) => string | undefined = () => undefined;
  /** Paths (regex) that never answer. */
  hang: RegExp | undefined;
  private server: Server | undefined;

  constructor(options: FakeOptions = {}) {
    this.version = options.version ?? '1.30.0';
    this.key = options.key;
    this.payloadLimit = options.payloadLimit ?? 100_000_000;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  addIndex(uid: string, primaryKey: string | null, createdAt = new Date().toISOString()): FakeIndex {
    const index: FakeIndex = { primaryKey, createdAt, settings: {}, docs: new Map() };
    this.indexes.set(uid, index);
    return index;
  }

  addFinishedTask(type: string, finishedAt: string, details: Record<string, unknown> = {}): void {
    this.tasks.push({
      uid: this.tasks.length,
      indexUid: null,
      type,
      status: 'succeeded',
      error: null,
      details,
      enqueuedAt: finishedAt,
      finishedAt,
      polls: 0,
      run: () => {},
    });
  }

  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      body = undefined;
    }
    this.requests.push({ method, path: url.pathname, bytes: raw.length, body });
    if (this.hang?.test(url.pathname)) return;
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const fail = (status: number, code: string) =>
      send(status, {
        message: code,
        code,
        type: 'invalid_request',
        link: `https://docs.meilisearch.com/errors#${code}`,
      });
    if (url.pathname === '/health') return send(200, { status: 'available' });
    if (this.key !== undefined) {
      const auth = req.headers.authorization;
      if (!auth) return fail(401, 'missing_authorization_header');
      if (auth !== `Bearer ${this.key}`) return fail(403, 'invalid_api_key');
    }
    const parts = url.pathname.split('/').filter(Boolean);
    const enqueue = (indexUid: string | null, type: string, run: () => void, polls = 0) => {
      const task: FakeTask = {
        uid: this.tasks.length,
        indexUid,
        type,
        status: 'enqueued',
        error: null,
        enqueuedAt: new Date().toISOString(),
        finishedAt: null,
        polls,
        run,
      };
      this.tasks.push(task);
      send(202, { taskUid: task.uid, indexUid, status: 'enqueued', type, enqueuedAt: task.enqueuedAt });
    };
    const needIndex = (uid: string) => {
      const index = this.indexes.get(uid);
      if (!index) throw new TaskError('index_not_found');
      return index;
    };

    if (method === 'GET' && url.pathname === '/version')
      return send(200, { pkgVersion: this.version, commitSha: 'x', commitDate: 'x' });
    if (parts[0] === 'tasks' && parts.length === 2) {
      const task = this.tasks[Number(parts[1])];
      if (!task) return fail(404, 'task_not_found');
      this.progress(task);
      return send(200, this.view(task));
    }
    if (parts[0] === 'tasks') {
      const types = url.searchParams.get('types')?.split(',');
      const results = this.tasks
        .filter((t) => !types || types.includes(t.type))
        .reverse()
        .slice(0, Number(url.searchParams.get('limit') ?? 20));
      return send(200, {
        results: results.map((t) => this.view(t)),
        total: results.length,
        limit: 20,
        from: null,
        next: null,
      });
    }
    if (method === 'POST' && url.pathname === '/swap-indexes') {
      const [pair] = body as Array<{ indexes: [string, string] }>;
      return enqueue(null, 'indexSwap', () => {
        const [a, b] = (pair as { indexes: [string, string] }).indexes;
        const left = needIndex(a);
        const right = needIndex(b);
        this.indexes.set(a, right);
        this.indexes.set(b, left);
      });
    }
    if (parts[0] !== 'indexes') return fail(404, 'not_found');
    const uid = parts[1] as string;
    if (method === 'POST' && parts.length === 1) {
      const { uid: newUid, primaryKey } = body as { uid: string; primaryKey?: string };
      return enqueue(newUid, 'indexCreation', () => {
        if (this.indexes.has(newUid)) throw new TaskError('index_already_exists');
        this.addIndex(newUid, primaryKey ?? null);
      });
    }
    const index = this.indexes.get(uid);
    const sub = parts.slice(2).join('/');
    if (parts.length === 2) {
      if (method === 'GET') {
        if (!index) return fail(404, 'index_not_found');
        return send(200, { uid, primaryKey: index.primaryKey, createdAt: index.createdAt, updatedAt: index.createdAt });
      }
      if (method === 'PATCH') {
        return enqueue(uid, 'indexUpdate', () => {
          const target = needIndex(uid);
          if (target.docs.size > 0) throw new TaskError('index_primary_key_already_exists');
          target.primaryKey = (body as { primaryKey: string }).primaryKey;
        });
      }
      if (method === 'DELETE') {
        return enqueue(uid, 'indexDeletion', () => {
          needIndex(uid);
          this.indexes.delete(uid);
        });
      }
    }
    if (sub === 'settings' && method === 'GET') {
      if (!index) return fail(404, 'index_not_found');
      return send(200, { displayedAttributes: ['*'], searchableAttributes: ['*'], stopWords: [], ...index.settings });
    }
    if (sub === 'settings' && method === 'PATCH') {
      return enqueue(uid, 'settingsUpdate', () => Object.assign(needIndex(uid).settings, body), this.settingsPolls);
    }
    if (sub === 'stats') {
      if (!index) return fail(404, 'index_not_found');
      return send(200, { numberOfDocuments: index.docs.size, isIndexing: false, fieldDistribution: {} });
    }
    if (sub === 'documents' && method === 'POST') {
      if (raw.length > this.payloadLimit) return fail(413, 'payload_too_large');
      const docs = body as Doc[];
      const primaryKey = url.searchParams.get('primaryKey');
      return enqueue(uid, 'documentAdditionOrUpdate', () => {
        const target = needIndex(uid);
        for (const doc of docs) {
          const code = this.rejectDocument(doc);
          if (code) throw new TaskError(code);
        }
        const pk = target.primaryKey ?? primaryKey ?? 'id';
        for (const doc of docs) target.docs.set(String(doc[pk]), doc);
      });
    }
    if (sub === 'documents/delete-batch' && method === 'POST') {
      return enqueue(uid, 'documentDeletion', () => {
        const target = needIndex(uid);
        for (const key of body as string[]) target.docs.delete(key);
      });
    }
    if (sub === 'documents' && method === 'DELETE') {
      return enqueue(uid, 'documentDeletion', () => needIndex(uid).docs.clear());
    }
    if (sub === 'search' && method === 'POST') {
      if (!index) return fail(404, 'index_not_found');
      const query = body as { filter?: string | string[]; limit?: number; attributesToRetrieve?: string[] };
      const filter = typeof query.filter === 'string' ? /^key = "(.*)"$/.exec(query.filter) : null;
      let hits = [...index.docs.values()];
      if (filter) hits = hits.filter((d) => d.key === filter[1]);
      const displayed = (index.settings.displayedAttributes as string[] | undefined) ?? ['*'];
      const wanted = query.attributesToRetrieve ?? ['*'];
      const shown = (field: string) =>
        (displayed.includes('*') || displayed.includes(field)) && (wanted.includes('*') || wanted.includes(field));
      const projected = hits
        .slice(0, query.limit ?? 20)
        .map((d) => Object.fromEntries(Object.entries(d).filter(([field]) => shown(field))));
      return send(200, {
        hits: projected,
        query: '',
        processingTimeMs: 0,
        limit: query.limit ?? 20,
        offset: 0,
        estimatedTotalHits: hits.length,
      });
    }
    return fail(404, 'not_found');
  }

  /** Runs an enqueued task on its first poll, after the configured number of "processing" polls. */
  private progress(task: FakeTask): void {
    if (task.status !== 'enqueued' && task.status !== 'processing') return;
    if (task.polls > 0) {
      task.polls--;
      task.status = 'processing';
      return;
    }
    try {
      task.run();
      task.status = 'succeeded';
    } catch (error) {
      const code = error instanceof TaskError ? error.code : 'internal';
      task.status = 'failed';
      task.error = {
        code,
        message: code,
        type: 'invalid_request',
        link: `https://docs.meilisearch.com/errors#${code}`,
      };
    }
    task.finishedAt = new Date().toISOString();
  }

  private view(task: FakeTask) {
    const { run: _run, polls: _polls, ...rest } = task;
    return { ...rest, batchUid: null, canceledBy: null, duration: null, startedAt: task.enqueuedAt };
  }
}
