/**
 * Evaluates deduplication on the labelled pairs in tests/fixtures/eval/dedupe-pairs.jsonl: each side is a raw
 * posting, normalised as ingest does, then compared. Prints one JSON line with precision, recall, the blocking
 * recall (positives that share at least one dedupe key, i.e. would be found as candidates at all) and the number
 * of errors per pair kind. `--errors` lists wrong decisions on stderr.
 */
import { readFileSync } from 'node:fs';
import { RawPosting } from '../src/domain/posting.ts';
import { type DedupeVacancy, dedupeKeys, sameVacancy } from '../src/ingest/dedupe.ts';
import { normalisePosting } from '../src/ingest/normalise.ts';

const FILE = new URL('../tests/fixtures/eval/dedupe-pairs.jsonl', import.meta.url);
const NOW = new Date('2025-06-01T00:00:00Z');

interface Pair {
  kind: string;
  same: boolean;
  a: unknown;
  b: unknown;
  /** The sources listing each side; pairs without them come from two different sources. */
  sourceA?: string;
  sourceB?: string;
}

function vacancy(input: unknown, sourceId: string): DedupeVacancy {
  const raw = RawPosting.parse(input);
  return {
    ...normalisePosting(raw, { now: NOW }),
    url: raw.url,
    originUrl: raw.originUrl,
    sourceId,
    externalId: raw.externalId,
  };
}

const pairs: Pair[] = readFileSync(FILE, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Pair);

let tp = 0;
let fp = 0;
let blocked = 0;
const errorsByKind: Record<string, number> = {};
const pairsByKind: Record<string, number> = {};
for (const pair of pairs) {
  const a = vacancy(pair.a, pair.sourceA ?? 'a');
  const b = vacancy(pair.b, pair.sourceB ?? 'b');
  const result = sameVacancy(a, b);
  pairsByKind[pair.kind] = (pairsByKind[pair.kind] ?? 0) + 1;
  if (pair.same) {
    const keysA = new Set(dedupeKeys(a));
    if (dedupeKeys(b).some((k) => keysA.has(k))) blocked++;
  }
  if (result.same && pair.same) tp++;
  else if (result.same) fp++;
  if (result.same !== pair.same) {
    errorsByKind[pair.kind] = (errorsByKind[pair.kind] ?? 0) + 1;
    if (process.argv.includes('--errors')) {
      console.error(`${pair.kind}\t${a.title} | ${b.title}\t${result.reasons.join('; ')}`);
    }
  }
}

const positives = pairs.filter((p) => p.same).length;
/** Pairs and errors of the kinds a filter selects. */
function subset(select: (kind: string) => boolean) {
  const kinds = Object.keys(pairsByKind).filter(select);
  const sum = (m: Record<string, number>) => kinds.reduce((n, k) => n + (m[k] ?? 0), 0);
  return { pairs: sum(pairsByKind), errors: sum(errorsByKind) };
}
const round = (x: number) => Math.round(x * 1000) / 1000;
console.log(
  JSON.stringify({
    pairs: pairs.length,
    positives,
    precision: round(tp + fp === 0 ? 1 : tp / (tp + fp)),
    recall: round(positives === 0 ? 1 : tp / positives),
    blockingRecall: round(positives === 0 ? 1 : blocked / positives),
    errorsByKind,
    employerless: subset((k) => k.startsWith('employerless')),
    sameSourceDistinctIds: subset((k) => k === 'same_source_distinct_ids'),
  }),
);
