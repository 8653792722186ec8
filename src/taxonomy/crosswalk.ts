/**
 * Crosswalk from the original KldB 2010 to its 2020 revision, derived from two editions of the BA's title index: a
 * title (DKZ-ID) coded X in the older list and Y in the newer one moved from X to Y. Counting titles per pair gives,
 * for each old code, where its titles went and in what shares (83112 mostly stayed, part went to 83113). Codes that
 * older systems stored (case-management exports, older postings) are mapped with it on import.
 */

import { isKldbCode } from './kldb.ts';
import type { OfficialTitle } from './official-titles.ts';

export interface CrosswalkRow {
  legacyCode: string;
  code: string;
  /** Titles (DKZ-IDs) coded `legacyCode` in the older list and `code` in the newer. */
  titles: number;
}

export interface LegacyMapping {
  code: string;
  /** Share of the old code's titles that went to `code` (1: all of them, or the code is unchanged). */
  share: number;
  /** Other targets with their shares, largest first. */
  alternatives: Array<{ code: string; share: number }>;
  /** `crosswalk`: from the two lists; `unchanged`: no list says otherwise and the code exists in the revision. */
  basis: 'crosswalk' | 'unchanged';
}

/** Pairs of codes per DKZ-ID present in both lists. */
export function buildCrosswalk(legacy: Iterable<OfficialTitle>, current: Iterable<OfficialTitle>): CrosswalkRow[] {
  const codeById = new Map<number, string>();
  for (const t of current) codeById.set(t.dkzId, t.code);
  const counts = new Map<string, number>();
  for (const t of legacy) {
    const code = codeById.get(t.dkzId);
    if (code === undefined) continue;
    const key = `${t.code}>${code}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, titles]) => {
    const [legacyCode = '', code = ''] = key.split('>');
    return { legacyCode, code, titles };
  });
}

export class Crosswalk {
  private readonly targets = new Map<string, Array<{ code: string; titles: number }>>();

  constructor(rows: Iterable<CrosswalkRow>) {
    for (const row of rows) {
      if (!isKldbCode(row.code)) continue;
      const list = this.targets.get(row.legacyCode) ?? [];
      list.push({ code: row.code, titles: row.titles });
      this.targets.set(row.legacyCode, list);
    }
    // Ties go to the code that kept its number: where titles split evenly, the unchanged code is the safer reading.
    for (const [legacy, list] of this.targets)
      list.sort((a, b) => b.titles - a.titles || Number(b.code === legacy) - Number(a.code === legacy));
  }

  get size(): number {
    return this.targets.size;
  }

  /** Where the titles of an old code went, or null for a code that is neither in the crosswalk nor in the revision. */
  map(legacyCode: string): LegacyMapping | null {
    const list = this.targets.get(legacyCode);
    if (list === undefined || list.length === 0) {
      return isKldbCode(legacyCode) && legacyCode.length === 5
        ? { code: legacyCode, share: 1, alternatives: [], basis: 'unchanged' }
        : null;
    }
    const total = list.reduce((n, t) => n + t.titles, 0);
    const [first, ...rest] = list.map((t) => ({ code: t.code, share: Math.round((t.titles / total) * 1000) / 1000 }));
    return { ...(first as { code: string; share: number }), alternatives: rest, basis: 'crosswalk' };
  }

  /** Every code the old code's titles went to. */
  targetsOf(legacyCode: string): string[] {
    return (this.targets.get(legacyCode) ?? []).map((t) => t.code);
  }
}
