/**
 * The coder's index as one JSON text, so a process loads the imported title index without rebuilding it: building
 * reads about 50,000 titles through tokenising, stemming and compound splitting (0.6–1 s, blocking the process),
 * reading the snapshot back takes about a tenth of that. A snapshot is only valid for the code that built it: its
 * fingerprint is a hash of the taxonomy modules and data files, so any change to how titles become terms makes old
 * snapshots unused (they are rebuilt, then replaced).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assembleIndex, type CoderIndex, type Postings } from './coder-index.ts';
import { type MemberParts, TitleModel } from './coder-model.ts';

const FORMAT = 3;

let fingerprintCache: string | null = null;

/** Hash of every source and data file of src/taxonomy: whatever shapes the index is in there. */
export function indexFingerprint(): string {
  if (fingerprintCache === null) {
    const hash = createHash('sha256').update(`format ${FORMAT}\n`);
    const dir = import.meta.dirname;
    for (const file of readdirSync(dir).sort()) {
      if (!/\.(?:ts|json)$/.test(file)) continue;
      hash.update(`${file}\n`).update(readFileSync(resolve(dir, file)));
    }
    fingerprintCache = hash.digest('base64url').slice(0, 22);
  }
  return fingerprintCache;
}

interface SnapshotJson {
  format: number;
  officialTitles: number;
  vocabulary: string[];
  /** Learnt compound parts: the splitter's vocabulary is `vocabulary` plus these. */
  parts: string[];
  codes: string[];
  entryCode: string;
  entryNorm: string;
  entryFactor: string;
  terms: string[];
  idf: string;
  offsets: string;
  postingEntries: string;
  postingWeights: string;
  /** Older titles (folded text) whose DKZ-ID is still current, with their current code. */
  legacyTitleCodes: Array<[string, string]>;
  model: ModelJson | null;
}

/**
 * The learnt model; its members' embeddings (most of its size) as bytes with one scale per row, which loses nothing
 * measurable and keeps the snapshot a quarter of the float size. The neighbour vectors are bytes already.
 */
interface ModelJson {
  features: string[];
  nodes: string[];
  members: MemberJson[];
  neighbourCodes: string[];
  neighbourOffsets: string;
  neighbourVectors: string;
}

interface MemberJson {
  embeddings: string;
  embeddingScales: string;
  outputs: string;
  bias: string;
}

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function typed<T>(text: string, make: (buffer: ArrayBuffer, offset: number, length: number) => T, size: number): T {
  const bytes = Buffer.from(text, 'base64');
  // A copy aligned for the typed array: Buffer's pool slices need not be.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return make(copy.buffer, 0, bytes.byteLength / size);
}

function memberJson({ embeddings, scales, outputs, bias }: MemberParts, features: number): MemberJson {
  let bytes: Int8Array;
  let rowScales: Float32Array;
  if (scales !== null) {
    bytes = embeddings as Int8Array;
    rowScales = scales;
  } else {
    const dim = embeddings.length / features;
    bytes = new Int8Array(embeddings.length);
    rowScales = new Float32Array(features);
    for (let f = 0; f < features; f++) {
      let max = 0;
      for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(embeddings[f * dim + d] as number));
      const scale = max / 127 || 1;
      rowScales[f] = scale;
      for (let d = 0; d < dim; d++) bytes[f * dim + d] = Math.round((embeddings[f * dim + d] as number) / scale);
    }
  }
  return { embeddings: b64(bytes), embeddingScales: b64(rowScales), outputs: b64(outputs), bias: b64(bias) };
}

function modelJson(model: TitleModel): ModelJson {
  const { features, nodes, members, neighbours } = model.parts;
  return {
    features,
    nodes,
    members: members.map((m) => memberJson(m, features.length)),
    neighbourCodes: neighbours.codes,
    neighbourOffsets: b64(neighbours.offsets),
    neighbourVectors: b64(neighbours.vectors),
  };
}

function modelFromJson(json: ModelJson): TitleModel | null {
  try {
    return new TitleModel({
      features: json.features,
      nodes: json.nodes,
      members: json.members.map((m) => ({
        embeddings: typed(m.embeddings, (b, o, n) => new Int8Array(b, o, n), 1),
        scales: typed(m.embeddingScales, (b, o, n) => new Float32Array(b, o, n), 4),
        outputs: typed(m.outputs, (b, o, n) => new Float32Array(b, o, n), 4),
        bias: typed(m.bias, (b, o, n) => new Float32Array(b, o, n), 4),
      })),
      neighbours: {
        codes: json.neighbourCodes,
        offsets: typed(json.neighbourOffsets, (b, o, n) => new Int32Array(b, o, n), 4),
        vectors: typed(json.neighbourVectors, (b, o, n) => new Int8Array(b, o, n), 1),
      },
    });
  } catch {
    // A model over another version of the tree: the snapshot is not this code's (its fingerprint should have said).
    return null;
  }
}

export function serializeIndex(index: CoderIndex, legacyTitleCodes: Map<string, string>): string {
  const codes = [...new Set(index.entryCode)];
  const codeIds = new Map(codes.map((c, i) => [c, i]));
  const terms = [...index.postings.keys()];
  const offsets = new Int32Array(terms.length + 1);
  let total = 0;
  terms.forEach((t, i) => {
    offsets[i] = total;
    total += (index.postings.get(t) as Postings).entries.length;
  });
  offsets[terms.length] = total;
  const entries = new Int32Array(total);
  const weights = new Float32Array(total);
  terms.forEach((t, i) => {
    const p = index.postings.get(t) as Postings;
    entries.set(p.entries, offsets[i] as number);
    weights.set(p.weights, offsets[i] as number);
  });
  const json: SnapshotJson = {
    format: FORMAT,
    officialTitles: index.officialTitles,
    vocabulary: [...index.vocabulary],
    parts: [...index.termMaker.vocabulary].filter((w) => !index.vocabulary.has(w)),
    codes,
    entryCode: b64(Uint16Array.from(index.entryCode, (c) => codeIds.get(c) as number)),
    entryNorm: b64(index.entryNorm),
    entryFactor: b64(index.entryFactor),
    terms,
    idf: b64(Float64Array.from(terms, (t) => index.idf.get(t) as number)),
    offsets: b64(offsets),
    postingEntries: b64(entries),
    postingWeights: b64(weights),
    legacyTitleCodes: [...legacyTitleCodes],
    model: index.model === null ? null : modelJson(index.model),
  };
  return JSON.stringify(json);
}

/** The index and the older titles' codes, or null when the text is not a snapshot of this format. */
export function deserializeIndex(text: string): { index: CoderIndex; legacyTitleCodes: Map<string, string> } | null {
  const json = JSON.parse(text) as SnapshotJson;
  if (json.format !== FORMAT) return null;
  const model = json.model === null ? null : modelFromJson(json.model);
  if (json.model !== null && model === null) return null;
  const codeOf = typed(json.entryCode, (b, o, n) => new Uint16Array(b, o, n), 2);
  const idfs = typed(json.idf, (b, o, n) => new Float64Array(b, o, n), 8);
  const offsets = typed(json.offsets, (b, o, n) => new Int32Array(b, o, n), 4);
  const entries = typed(json.postingEntries, (b, o, n) => new Int32Array(b, o, n), 4);
  const weights = typed(json.postingWeights, (b, o, n) => new Float32Array(b, o, n), 4);
  const idf = new Map<string, number>();
  const postings = new Map<string, Postings>();
  json.terms.forEach((t, i) => {
    idf.set(t, idfs[i] as number);
    const from = offsets[i] as number;
    const to = offsets[i + 1] as number;
    postings.set(t, { entries: entries.subarray(from, to), weights: weights.subarray(from, to) });
  });
  const vocabulary = new Set(json.vocabulary);
  const lookup = new Set(json.vocabulary);
  for (const p of json.parts) lookup.add(p);
  const index = assembleIndex({
    vocabulary,
    lookup,
    idf,
    postings,
    entryCode: Array.from(codeOf, (i) => json.codes[i] as string),
    entryNorm: typed(json.entryNorm, (b, o, n) => new Float64Array(b, o, n), 8),
    entryFactor: typed(json.entryFactor, (b, o, n) => new Float32Array(b, o, n), 4),
    officialTitles: json.officialTitles,
    model,
  });
  return { index, legacyTitleCodes: new Map(json.legacyTitleCodes) };
}
