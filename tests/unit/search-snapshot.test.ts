/**
 * The embedded index's snapshot file (src/search/snapshot.ts): a loaded index answers exactly as the one written,
 * keeps doing so under further changes, and anything damaged or foreign is reported, never loaded.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateVacancies } from '../../src/demo/synthetic-vacancies.ts';
import { EmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { SearchQuery, type SearchQueryInput } from '../../src/search/search-engine.ts';
import { readSnapshot, type SnapshotMeta, writeSnapshot } from '../../src/search/snapshot.ts';
import { toVacancyDocument } from '../../src/vacancies/vacancy.ts';

const NOW = Date.UTC(2026, 0, 15, 12);
const META: SnapshotMeta = {
  position: 42,
  positionRow: { id: 41, aggregateId: '00000000-0000-4000-8000-000000000041', createdAt: NOW },
  database: 'test-database',
  documents: 0,
  writtenAt: new Date(NOW).toISOString(),
};
const QUERIES: SearchQueryInput[] = [
  {},
  { q: 'Lager' },
  { q: 'Koch', near: { lat: 48.7784, lon: 9.18, radiusKm: 25 }, sort: 'distance' },
  { q: 'Elektirker' },
  { q: 'e', workingTimes: ['teilzeit'], page: 2 },
  { kldb: '5', sort: 'date', perPage: 100 },
];

const docs = generateVacancies(1_500, 3, NOW).map((v, i) =>
  toVacancyDocument({ ...v, id: `snap-${i}`, createdAt: v.publishedAt }),
);

async function answers(engine: EmbeddedSearchEngine) {
  return Promise.all(QUERIES.map((q) => engine.search(SearchQuery.parse(q))));
}

describe('search index snapshot', () => {
  let dir: string;
  let file: string;
  const original = new EmbeddedSearchEngine();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'search-snapshot-'));
    file = join(dir, 'search-index.snapshot');
    await original.upsert(docs);
    // Removed and replaced documents too, so free and removed slots are part of what is written.
    await original.remove(docs.slice(0, 100).map((d) => d.id));
    await original.upsert(docs.slice(200, 300).map((d) => ({ ...d, title: `${d.title} Nachtschicht` })));
    await writeSnapshot(file, original.toState(), { ...META, documents: await original.count() });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const load = async () => {
    const read = await readSnapshot(file);
    if (!read.ok) throw new Error(read.problem);
    const engine = new EmbeddedSearchEngine();
    engine.restore(read.state);
    return { engine, meta: read.meta };
  };

  it('loads an index that answers exactly as the one written, with the metadata written', async () => {
    const { engine, meta } = await load();
    expect(meta).toEqual({ ...META, documents: docs.length - 100 });
    expect(await engine.count()).toBe(await original.count());
    expect(await answers(engine)).toEqual(await answers(original));
    expect(await engine.get('snap-0')).toBeUndefined();
    expect(await engine.get('snap-250')).toEqual(await original.get('snap-250'));
    expect((await engine.search(SearchQuery.parse({ q: 'Nachtschicht' }))).total).toBe(100);
  });

  it('stays equal to the original under the same later changes, and writes the same snapshot again', async () => {
    const { engine } = await load();
    for (const target of [engine, original]) {
      await target.upsert(docs.slice(0, 50));
      await target.remove(docs.slice(400, 450).map((d) => d.id));
      await target.upsert(docs.slice(500, 520).map((d) => ({ ...d, title: 'Gabelstaplerfahrer (m/w/d)' })));
    }
    expect(await answers(engine)).toEqual(await answers(original));
    expect((await engine.search(SearchQuery.parse({ q: 'Gabelstaplerfahrer' }))).total).toBe(20);

    const again = join(dir, 'again.snapshot');
    await writeSnapshot(again, engine.toState(), META);
    const other = join(dir, 'other.snapshot');
    await writeSnapshot(other, original.toState(), META);
    const [a, b] = [await readFile(again), await readFile(other)];
    // Same state, same bytes: nothing depends on whether a summary was parsed or copied from the loaded file.
    expect(a.equals(b)).toBe(true);
  });

  it('leaves no temporary file behind, and replaces an existing snapshot whole', async () => {
    const target = join(dir, 'replace.snapshot');
    await writeFile(target, 'old content');
    await writeSnapshot(target, original.toState(), { ...META, documents: await original.count() });
    expect((await readSnapshot(target)).ok).toBe(true);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('throws for a directory that does not exist and writes nothing', async () => {
    await expect(writeSnapshot(join(dir, 'missing', 'x.snapshot'), original.toState(), META)).rejects.toThrow();
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('reports a missing, damaged, cut or foreign file instead of loading it', async () => {
    const bytes = await readFile(file);
    const variant = async (name: string, content: Uint8Array | string) => {
      const path = join(dir, name);
      await writeFile(path, content);
      return readSnapshot(path);
    };
    const flipped = Buffer.from(bytes);
    const at = bytes.length - 1_000;
    flipped[at] = (flipped[at] as number) ^ 0xff;
    const headerEnd = bytes.indexOf(0x0a);
    const header = JSON.parse(bytes.subarray(0, headerEnd).toString()) as Record<string, unknown>;
    const otherRules = Buffer.concat([
      Buffer.from(JSON.stringify({ ...header, rules: (header.rules as number) + 1 })),
      bytes.subarray(headerEnd),
    ]);

    expect(await readSnapshot(join(dir, 'none.snapshot'))).toEqual({ ok: false, problem: 'no snapshot' });
    expect(await variant('flipped', flipped)).toEqual({ ok: false, problem: 'checksum mismatch' });
    expect(await variant('cut', bytes.subarray(0, bytes.length - 5_000))).toEqual({ ok: false, problem: 'truncated' });
    expect(await variant('empty', '')).toEqual({ ok: false, problem: 'no header' });
    expect(await variant('garbage', '{"magic":"something else"}\n\u0000\u0001')).toEqual({
      ok: false,
      problem: 'not a snapshot of this format',
    });
    expect(await variant('not-json', 'PK\u0003\u0004 zip\n')).toEqual({ ok: false, problem: 'header is not JSON' });
    expect(await variant('rules', otherRules)).toEqual({
      ok: false,
      problem: 'made under other analysis rules or layout',
    });
  });

  it('refuses a state whose parts do not fit together and keeps serving the index it had', async () => {
    const engine = new EmbeddedSearchEngine();
    await engine.upsert(docs.slice(0, 300));
    const before = await answers(engine);
    const state = original.toState();
    const badSlot = { ...state, postings: state.postings.map((p) => ({ ...p, slots: p.slots.map(() => 1e6) })) };
    const aliveWithoutDocument = {
      ...state,
      columns: { ...state.columns, alive: state.columns.alive.map(() => 1) },
    };
    const duplicate = { ...state, ids: state.ids.map((id) => (id === null ? null : 'same')) };
    expect(state.removedSlots.length).toBeGreaterThan(0);
    const freeTwice = { ...state, freeSlots: [state.removedSlots[0] as number] };
    for (const broken of [badSlot, aliveWithoutDocument, duplicate, freeTwice]) {
      expect(() => engine.restore(broken)).toThrow();
    }
    expect(await answers(engine)).toEqual(before);
  });
});
