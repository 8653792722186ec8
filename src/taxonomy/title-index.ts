/**
 * The title index a process codes with: built in memory, once, from the lists the operator imported (current list,
 * and optionally the older one with the crosswalk between them), then installed for `codeOccupation`. Holding it in
 * memory keeps coding free of database reads inside ingest transactions; title-store.ts loads it and notices a new
 * import.
 */

import { Coder, currentCoder, installCoder } from './coder.ts';
import { buildIndex, classificationSources, LEGACY_FACTOR, officialSources } from './coder-index.ts';
import { titleWords } from './coder-text.ts';
import { Crosswalk, type CrosswalkRow, type LegacyMapping } from './crosswalk.ts';
import { deserializeIndex, serializeIndex } from './index-snapshot.ts';
import { isKldbCode } from './kldb.ts';
import type { OfficialTitle } from './official-titles.ts';

export interface TitleIndexInput {
  /** Titles of the list coded with the 2020 revision (what the coder codes to). */
  current: OfficialTitle[];
  /** Titles of a list coded with the original KldB 2010, when one was imported. */
  legacy: OfficialTitle[];
  /** The crosswalk as stored; derived from `legacy` and `current` at import. */
  crosswalk: CrosswalkRow[];
}

/** Smallest current list the coder trains its model for (coder-model.ts). */
export const MODEL_MIN_TITLES = 1000;

export class TitleIndex {
  private legacyTitleCodes: Map<string, string> | null;

  private constructor(
    readonly coder: Coder,
    readonly crosswalk: Crosswalk,
    legacyTitleCodes: Map<string, string> | null,
    private readonly legacySource: TitleIndexInput | null,
  ) {
    this.legacyTitleCodes = legacyTitleCodes;
  }

  /** Builds the index from the lists: the classification file's titles, the current list, the older one's own. */
  static build(input: TitleIndexInput): TitleIndex {
    const crosswalk = new Crosswalk(input.crosswalk);
    const currentIds = new Set(input.current.map((t) => t.dkzId));
    // Titles only the older list has (about 9,000 in 2019: mostly tax-only wordings) still occur in older data and
    // in how people describe their work; they count as the weakest evidence, under the code the crosswalk gives.
    const legacyOnly: OfficialTitle[] = [];
    for (const t of input.legacy) {
      if (currentIds.has(t.dkzId) || t.state === 'M') continue;
      const mapped = crosswalk.map(t.code);
      if (mapped !== null) legacyOnly.push({ ...t, code: mapped.code });
    }
    const sources = [
      ...classificationSources(),
      ...officialSources(input.current),
      ...officialSources(legacyOnly, () => LEGACY_FACTOR),
    ];
    // The learnt model pays off with a real list (the BA's has about 19,000 titles); for an excerpt it would spend
    // seconds learning mostly the classification file's titles, which the matching already knows.
    const model = input.current.length >= MODEL_MIN_TITLES;
    const coder = new Coder({ ...buildIndex(sources, { model }), officialTitles: input.current.length });
    return new TitleIndex(coder, crosswalk, null, input);
  }

  /** The index from a snapshot (index-snapshot.ts); null when the snapshot's format is not this one. */
  static restore(snapshot: string, crosswalk: CrosswalkRow[]): TitleIndex | null {
    const restored = deserializeIndex(snapshot);
    if (restored === null) return null;
    return new TitleIndex(new Coder(restored.index), new Crosswalk(crosswalk), restored.legacyTitleCodes, null);
  }

  serialize(): string {
    return serializeIndex(this.coder.index, this.legacyCodes());
  }

  /** Older titles (folded text) whose DKZ-ID is still in the current list, with their current code. */
  private legacyCodes(): Map<string, string> {
    if (this.legacyTitleCodes === null) {
      const map = new Map<string, string>();
      const codeById = new Map(this.legacySource?.current.map((t) => [t.dkzId, t.code]));
      for (const t of this.legacySource?.legacy ?? []) {
        const code = codeById.get(t.dkzId);
        if (code !== undefined) for (const form of [t.neutral, t.male, t.female]) map.set(textKey(form), code);
      }
      this.legacyTitleCodes = map;
    }
    return this.legacyTitleCodes;
  }

  /** The 2020 code of an older title: by its DKZ-ID when the title is in the older list and still current. */
  currentCodeOfLegacyTitle(title: string): string | null {
    return this.legacyCodes().get(textKey(title)) ?? null;
  }
}

function textKey(text: string): string {
  return titleWords(text).join(' ');
}

let installed: TitleIndex | null = null;

/** Makes the index the one this process codes with; null returns to the classification file alone. */
export function installTitleIndex(index: TitleIndex | null): void {
  installed = index;
  installCoder(index?.coder ?? null);
}

export function installedTitleIndex(): TitleIndex | null {
  return installed;
}

/**
 * A code of the original KldB 2010 in the 2020 revision. With an imported crosswalk, the target most of the old
 * code's titles went to (and the others as alternatives); without one, the code itself when the revision has it.
 * Null for a code neither knows.
 */
export function mapLegacyKldb(code: string): LegacyMapping | null {
  const trimmed = code.trim();
  if (installed !== null) return installed.crosswalk.map(trimmed);
  return isKldbCode(trimmed) && trimmed.length === 5
    ? { code: trimmed, share: 1, alternatives: [], basis: 'unchanged' }
    : null;
}

export interface LegacyTitleMapping {
  code: string;
  /** `title`: the title is in the older list and still current (by DKZ-ID); `crosswalk+title`: the old code's
   * targets ranked by the title; `crosswalk`: the old code alone; `coder`: the title alone. */
  basis: 'title' | 'crosswalk+title' | 'crosswalk' | 'coder';
  confidence: number;
}

/**
 * A title with the code an older system gave it, in the 2020 revision: the title's own DKZ-ID where the older list
 * has it, else the old code's crosswalk targets ranked by how well the title matches each, else the coder.
 */
export function mapLegacyTitle(title: string, legacyCode?: string): LegacyTitleMapping | null {
  const direct = installed?.currentCodeOfLegacyTitle(title);
  if (direct) return { code: direct, basis: 'title', confidence: 1 };
  const mapping = legacyCode ? mapLegacyKldb(legacyCode) : null;
  if (mapping !== null) {
    const targets = [mapping.code, ...mapping.alternatives.map((a) => a.code)];
    if (targets.length === 1) return { code: mapping.code, basis: 'crosswalk', confidence: mapping.share };
    const scores = currentCoder().scoreText(title);
    const best = targets.reduce((a, b) => ((scores.get(b) ?? 0) > (scores.get(a) ?? 0) ? b : a));
    if ((scores.get(best) ?? 0) > 0) return { code: best, basis: 'crosswalk+title', confidence: scores.get(best) ?? 0 };
    return { code: mapping.code, basis: 'crosswalk', confidence: mapping.share };
  }
  const coded = currentCoder().code({ title });
  return coded.best ? { code: coded.best.code, basis: 'coder', confidence: coded.best.confidence } : null;
}
