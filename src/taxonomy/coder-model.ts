/**
 * A learnt title classifier that generalises to titles the index has not seen ("Damastweber" from the weavers,
 * "Bäckereiverkäufer" from the sales titles). A title becomes a weighted bag of its coder terms (stems, compound
 * parts) and the letter 3- to 5-grams of its words; their embeddings are summed into one vector (as fastText does),
 * and the code is predicted down the KldB tree: Berufsbereich, -hauptgruppe, -gruppe, -untergruppe, -gattung, one
 * softmax per node over its children. Following the tree lets a rare code borrow what its group's other titles teach
 * (the field from the modifier, the requirement level from the head), and keeps training cheap: each title updates
 * five small softmaxes instead of one over 1,300 codes.
 *
 * Besides the titles it learns from the classification's description of each Berufsgattung (coder-index.ts), which
 * tells which field a word few titles use belongs to. Two such networks, trained alike from different seeds, are
 * averaged (`MEMBERS`). Their summed embeddings also place every training title in one space, and the codes of the
 * titles nearest to a query there (`nearest`) are the third opinion the coder weighs: a nearest-neighbour vote that
 * compares what the networks learnt a title's words mean rather than the words themselves.
 *
 * Trained when an index with the BA's title list is built (title-index.ts), deterministically (seeded order,
 * initialisation and dropout), and stored in the index snapshot. See docs/coding-and-dedupe.md for the evaluation.
 */
import { kldbEntry, kldbLeaves } from './kldb.ts';

/** Embedding width: 64 did as well as a full linear model on held-out titles (and as 128), 32 lost about 2 points. */
const DIM = 64;
/**
 * With feature dropout the model needs more passes: eight epochs at a higher rate gained 1.5 points on held-out
 * titles over four at 0.08 (split 1; docs/coding-and-dedupe.md).
 */
const EPOCHS = 8;
const LEARNING_RATE = 0.15;
/**
 * Share of a title's features left out at each training step. Without it the model learns each title by its whole
 * compound (99 % right on the titles it trained on, 69 % on held-out ones); made to code a title from part of its
 * words, it learns what the parts and letter groups say, which is all it has for a title it has not seen (0.3: +1.4
 * points, 0.5: +2 on held-out titles).
 */
const FEATURE_DROPOUT = 0.5;
const INIT_SCALE = 0.1;
/** Letter n-grams weigh less than whole terms: many are shared by chance. */
const NGRAM_WEIGHT = 0.3;
const NGRAM_SIZES = [3, 4, 5] as const;
/** A feature seen in one training title only would be memorised, not learnt. */
const MIN_FEATURE_COUNT = 2;
/** Codes kept per tree level when searching the best leaves. */
const BEAM = 6;
/**
 * Networks averaged, each from its own seed: two gained 1 point on held-out titles over one (three 1.5, at 1.5 times
 * the training time of two), and the nearest titles by both networks' embeddings another 2 (docs/coding-and-dedupe.md).
 */
const MEMBERS = 2;
/** Neighbour vectors are stored as bytes: components of a unit vector times this. */
const NEIGHBOUR_SCALE = 127;

export interface ModelExample {
  code: string;
  /** Feature name → weight, before normalising. */
  features: Map<string, number>;
}

/** Weighted features of a title: the coder's terms and the letter n-grams of its words. */
export function titleFeatures(
  terms: Iterable<readonly [string, number]>,
  words: readonly string[],
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [term, weight] of terms) if ((out.get(`t${term}`) ?? 0) < weight) out.set(`t${term}`, weight);
  for (const word of words) {
    const padded = `^${word}$`;
    for (const n of NGRAM_SIZES)
      for (let i = 0; i + n <= padded.length; i++) out.set(`g${padded.slice(i, i + n)}`, NGRAM_WEIGHT);
  }
  return out;
}

/** The KldB tree with siblings stored next to each other: node i's children are `first[i]` … `first[i] + count[i] - 1`. */
interface Tree {
  codes: string[];
  first: Int32Array;
  count: Int32Array;
  /** Node of each 5-digit code. */
  leaf: Map<string, number>;
}

function buildTree(): Tree {
  const leaves = new Set(kldbLeaves().map((e) => e.code));
  const codes = [''];
  const first: number[] = [];
  const count: number[] = [];
  // Breadth first: all children of a node are appended together.
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] as string;
    const children: string[] = [];
    if (code.length < 5) {
      for (const leaf of leaves) {
        if (!leaf.startsWith(code)) continue;
        const child = leaf.slice(0, code.length + 1);
        if (!children.includes(child) && (child.length === 5 || kldbEntry(child) !== undefined)) children.push(child);
      }
    }
    children.sort();
    first.push(codes.length);
    count.push(children.length);
    codes.push(...children);
  }
  const leaf = new Map<string, number>();
  codes.forEach((c, i) => {
    if (c.length === 5) leaf.set(c, i);
  });
  return { codes, first: Int32Array.from(first), count: Int32Array.from(count), leaf };
}

let treeCache: Tree | null = null;
const kldbTree = () => {
  treeCache ??= buildTree();
  return treeCache;
};

/** Deterministic pseudo-random numbers (mulberry32), so the same lists always train the same model. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One network of the model. */
export interface MemberParts {
  /**
   * features × DIM; as bytes with one scale per feature (`scales`) once read back from a snapshot, which keeps a
   * quarter of the memory and codes the same.
   */
  embeddings: Float32Array | Int8Array;
  scales: Float32Array | null;
  /** nodes × DIM */
  outputs: Float32Array;
  bias: Float32Array;
}

/** The training titles' places in the networks' embedding space, grouped by code. */
export interface NeighbourParts {
  codes: string[];
  /** Rows of code i: `offsets[i]` … `offsets[i + 1] - 1`. */
  offsets: Int32Array;
  /** rows × (MEMBERS · DIM): each title's unit hidden vector per network, concatenated, times NEIGHBOUR_SCALE. */
  vectors: Int8Array;
}

export interface TitleModelParts {
  /** Shared by the members: the features the training titles have at least MIN_FEATURE_COUNT times. */
  features: string[];
  /** Tree node codes, in the order of each member's `outputs` (root first, siblings together). */
  nodes: string[];
  members: MemberParts[];
  neighbours: NeighbourParts;
}

interface Encoded {
  ids: Int32Array;
  values: Float32Array;
}

/** A title as the members see it (`TitleModel.place`): one hidden vector per member. */
export interface TitlePlace {
  hidden: Float64Array[];
}

export class TitleModel {
  private readonly featureIds: Map<string, number>;
  private readonly tree: Tree;
  private readonly neighbourRows: Map<string, [from: number, to: number]>;

  constructor(readonly parts: TitleModelParts) {
    this.featureIds = new Map(parts.features.map((f, i) => [f, i]));
    this.tree = kldbTree();
    if (parts.nodes.length !== this.tree.codes.length || parts.nodes.some((c, i) => c !== this.tree.codes[i]))
      throw new Error('title model: the KldB tree changed since it was trained');
    const { codes, offsets } = parts.neighbours;
    this.neighbourRows = new Map(codes.map((c, i) => [c, [offsets[i] as number, offsets[i + 1] as number]]));
  }

  /**
   * Trains a model on the examples; a few seconds per member for the BA's list with its three forms per title.
   * Examples up to `neighbourCount` are titles, the nearest of which `nearest` finds; the rest (descriptions) only
   * train the networks.
   */
  static train(
    examples: readonly ModelExample[],
    { seed = 1, epochs = EPOCHS, neighbourCount = examples.length } = {},
  ): TitleModel {
    const tree = kldbTree();
    const counts = new Map<string, number>();
    for (const ex of examples) for (const f of ex.features.keys()) counts.set(f, (counts.get(f) ?? 0) + 1);
    const features = [...counts].filter(([, n]) => n >= MIN_FEATURE_COUNT).map(([f]) => f);
    const featureIds = new Map(features.map((f, i) => [f, i]));
    const data = examples
      .map((ex) => ({ leaf: tree.leaf.get(ex.code), x: encode(featureIds, ex.features) }))
      .filter((d): d is { leaf: number; x: Encoded } => d.leaf !== undefined && d.x.ids.length > 0);
    const members = Array.from({ length: MEMBERS }, (_, m) =>
      trainMember(features.length, data, tree, random(seed + m), epochs),
    );
    return new TitleModel({
      features,
      nodes: tree.codes,
      members,
      neighbours: neighbourVectors(examples.slice(0, neighbourCount), featureIds, members),
    });
  }

  /** Feature weights as ids and values, normalised to length 1; features the model does not know are left out. */
  private encode(features: Map<string, number>): Encoded {
    return encode(this.featureIds, features);
  }

  /**
   * Where the networks place a title: each member's hidden vector, computed once for `predict` and `nearest`. Null
   * when the model knows none of the title's features.
   */
  place(features: Map<string, number>): TitlePlace | null {
    const x = this.encode(features);
    if (x.ids.length === 0) return null;
    return { hidden: this.parts.members.map((member) => hidden(member, x)) };
  }

  /**
   * The most probable codes for a placed title, with their probabilities averaged over the members (each searched
   * down the tree, keeping the best few nodes per level).
   */
  predict(place: TitlePlace, limit: number): Map<string, number> {
    const sum = new Map<string, number>();
    const { members } = this.parts;
    // Each member's runners-up too: a code one member ranks just below the limit still counts for the average.
    members.forEach((member, m) => {
      for (const [code, p] of memberPredict(member, this.tree, place.hidden[m] as Float64Array, 2 * limit))
        sum.set(code, (sum.get(code) ?? 0) + p / members.length);
    });
    return new Map([...sum].sort((a, b) => b[1] - a[1]).slice(0, limit));
  }

  /**
   * For each of the codes, the cosine similarity (0..1) between the placed title and the nearest training title of
   * that code, by where the networks place them.
   */
  nearest(place: TitlePlace, codes: Iterable<string>): Map<string, number> {
    const q = unitHidden(place.hidden);
    const { vectors } = this.parts.neighbours;
    const width = q.length;
    const out = new Map<string, number>();
    for (const code of codes) {
      const rows = this.neighbourRows.get(code);
      if (rows === undefined) continue;
      let best = 0;
      for (let r = rows[0]; r < rows[1]; r++) {
        let dot = 0;
        const base = r * width;
        for (let d = 0; d < width; d++) dot += (q[d] as number) * (vectors[base + d] as number);
        if (dot > best) best = dot;
      }
      out.set(code, best / NEIGHBOUR_SCALE);
    }
    return out;
  }
}

function encode(featureIds: Map<string, number>, features: Map<string, number>): Encoded {
  const ids: number[] = [];
  const values: number[] = [];
  let norm = 0;
  for (const [f, v] of features) {
    const id = featureIds.get(f);
    if (id === undefined) continue;
    ids.push(id);
    values.push(v);
    norm += v * v;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return { ids: Int32Array.from(ids), values: Float32Array.from(values, (v) => v * scale) };
}

function trainMember(
  featureCount: number,
  data: ReadonlyArray<{ leaf: number; x: Encoded }>,
  tree: Tree,
  rand: () => number,
  epochs: number,
): MemberParts {
  const nodes = tree.codes.length;
  const member: MemberParts = {
    embeddings: Float32Array.from({ length: featureCount * DIM }, () => (rand() * 2 - 1) * INIT_SCALE),
    scales: null,
    outputs: new Float32Array(nodes * DIM),
    bias: new Float32Array(nodes),
  };
  const paths = new Map<number, number[]>();
  const pathOf = (leaf: number) => {
    let path = paths.get(leaf);
    if (path === undefined) {
      const code = tree.codes[leaf] as string;
      path = [];
      for (let len = 1; len <= 5; len++) path.push(tree.codes.indexOf(code.slice(0, len), path.at(-1) ?? 0));
      paths.set(leaf, path);
    }
    return path;
  };
  const trainer = new Trainer(member, tree);
  const order = data.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const i of order) {
      const d = data[i] as { leaf: number; x: Encoded };
      trainer.step(dropFeatures(d.x, rand), pathOf(d.leaf));
    }
  }
  return member;
}

function memberPredict(member: MemberParts, tree: Tree, h: Float64Array, limit: number): Array<[string, number]> {
  const { first, count, codes } = tree;
  let beam: Array<[node: number, p: number]> = [[0, 1]];
  for (let level = 1; level <= 5; level++) {
    const next: Array<[number, number]> = [];
    for (const [node, p] of beam) {
      const probs = childProbabilities(member, h, first[node] as number, count[node] as number);
      probs.forEach((q, k) => {
        next.push([(first[node] as number) + k, p * q]);
      });
    }
    next.sort((a, b) => b[1] - a[1]);
    beam = next.slice(0, level === 5 ? limit : BEAM);
  }
  return beam.map(([node, p]) => [codes[node] as string, p]);
}

/** Each member's hidden vector scaled to length 1, concatenated and scaled to length 1 again. */
function unitHidden(hiddens: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(hiddens.length * DIM);
  hiddens.forEach((h, m) => {
    let norm = 0;
    for (let d = 0; d < DIM; d++) norm += (h[d] as number) ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm * hiddens.length) : 0;
    for (let d = 0; d < DIM; d++) out[m * DIM + d] = (h[d] as number) * scale;
  });
  return out;
}

/** The titles' unit hidden vectors as bytes, grouped by code (codes sorted, titles in their order). */
function neighbourVectors(
  titles: readonly ModelExample[],
  featureIds: Map<string, number>,
  members: readonly MemberParts[],
): NeighbourParts {
  const byCode = new Map<string, Float64Array[]>();
  for (const t of titles) {
    const x = encode(featureIds, t.features);
    if (x.ids.length === 0) continue;
    const list = byCode.get(t.code) ?? [];
    list.push(unitHidden(members.map((member) => hidden(member, x))));
    byCode.set(t.code, list);
  }
  const codes = [...byCode.keys()].sort();
  const width = members.length * DIM;
  const offsets = new Int32Array(codes.length + 1);
  const rows: Float64Array[] = [];
  codes.forEach((code, i) => {
    offsets[i] = rows.length;
    rows.push(...(byCode.get(code) as Float64Array[]));
  });
  offsets[codes.length] = rows.length;
  const vectors = new Int8Array(rows.length * width);
  rows.forEach((row, r) => {
    for (let d = 0; d < width; d++) vectors[r * width + d] = Math.round((row[d] as number) * NEIGHBOUR_SCALE);
  });
  return { codes, offsets, vectors };
}

/** The features a training step sees: each kept with probability 1 - FEATURE_DROPOUT (at least one), renormalised. */
function dropFeatures(x: Encoded, rand: () => number): Encoded {
  const kept: number[] = [];
  for (let k = 0; k < x.ids.length; k++) if (rand() >= FEATURE_DROPOUT) kept.push(k);
  if (kept.length === 0) kept.push(Math.floor(rand() * x.ids.length));
  let norm = 0;
  for (const k of kept) norm += (x.values[k] as number) ** 2;
  const scale = 1 / Math.sqrt(norm);
  return {
    ids: Int32Array.from(kept, (k) => x.ids[k] as number),
    values: Float32Array.from(kept, (k) => (x.values[k] as number) * scale),
  };
}

function hidden({ embeddings, scales }: MemberParts, x: Encoded): Float64Array {
  const h = new Float64Array(DIM);
  for (let k = 0; k < x.ids.length; k++) {
    const id = x.ids[k] as number;
    const row = id * DIM;
    const v = (x.values[k] as number) * (scales === null ? 1 : (scales[id] as number));
    for (let d = 0; d < DIM; d++) h[d] = (h[d] as number) + v * (embeddings[row + d] as number);
  }
  return h;
}

function childProbabilities(parts: MemberParts, h: Float64Array, first: number, count: number): Float64Array {
  const z = new Float64Array(count);
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < count; k++) {
    const row = (first + k) * DIM;
    let s = parts.bias[first + k] as number;
    for (let d = 0; d < DIM; d++) s += (parts.outputs[row + d] as number) * (h[d] as number);
    z[k] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let k = 0; k < count; k++) {
    z[k] = Math.exp((z[k] as number) - max);
    sum += z[k] as number;
  }
  for (let k = 0; k < count; k++) z[k] = (z[k] as number) / sum;
  return z;
}

/**
 * Stochastic gradient descent, one title at a time, with row-wise AdaGrad step sizes (one accumulator per embedding
 * and per output row: a twentieth of the arithmetic of per-weight AdaGrad, and as good here).
 */
class Trainer {
  private readonly embeddingSteps: Float32Array;
  private readonly outputSteps: Float32Array;
  private readonly biasSteps: Float32Array;
  private readonly gradH = new Float64Array(DIM);

  constructor(
    private readonly parts: MemberParts,
    private readonly tree: Tree,
  ) {
    this.embeddingSteps = new Float32Array(parts.embeddings.length / DIM);
    this.outputSteps = new Float32Array(parts.bias.length);
    this.biasSteps = new Float32Array(parts.bias.length);
  }

  step(x: Encoded, path: number[]): void {
    const { parts, tree, gradH } = this;
    const h = hidden(parts, x);
    let hh = 0;
    for (let d = 0; d < DIM; d++) hh += (h[d] as number) * (h[d] as number);
    gradH.fill(0);
    let parent = 0;
    for (const target of path) {
      const first = tree.first[parent] as number;
      const count = tree.count[parent] as number;
      parent = target;
      if (count < 2) continue;
      const probs = childProbabilities(parts, h, first, count);
      for (let k = 0; k < count; k++) {
        const node = first + k;
        const g = (probs[k] as number) - (node === target ? 1 : 0);
        if (Math.abs(g) < 1e-4) continue;
        const row = node * DIM;
        const acc = (this.outputSteps[node] as number) + (g * g * hh) / DIM;
        this.outputSteps[node] = acc;
        const rate = (LEARNING_RATE * g) / Math.sqrt(acc + 1e-8);
        for (let d = 0; d < DIM; d++) {
          const o = parts.outputs[row + d] as number;
          gradH[d] = (gradH[d] as number) + g * o;
          parts.outputs[row + d] = o - rate * (h[d] as number);
        }
        const bacc = (this.biasSteps[node] as number) + g * g;
        this.biasSteps[node] = bacc;
        parts.bias[node] = (parts.bias[node] as number) - (LEARNING_RATE * g) / Math.sqrt(bacc + 1e-8);
      }
    }
    let gg = 0;
    for (let d = 0; d < DIM; d++) gg += (gradH[d] as number) * (gradH[d] as number);
    for (let k = 0; k < x.ids.length; k++) {
      const id = x.ids[k] as number;
      const row = id * DIM;
      const v = x.values[k] as number;
      const acc = (this.embeddingSteps[id] as number) + (v * v * gg) / DIM;
      this.embeddingSteps[id] = acc;
      const rate = (LEARNING_RATE * v) / Math.sqrt(acc + 1e-8);
      for (let d = 0; d < DIM; d++)
        parts.embeddings[row + d] = (parts.embeddings[row + d] as number) - rate * (gradH[d] as number);
    }
  }
}
