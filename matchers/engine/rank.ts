/**
 * Ranking primitives shared by the candidate indexes and the brute-force reference (tests/helpers/match-brute-force.ts),
 * so both order results identically: by unrounded score, then by id.
 */
import type { CapSkip, Caps, OpenProposalCounts } from './caps.ts';
import { type PairContext, passesConstraints } from './constraints.ts';
import { explainMatch } from './explain.ts';
import { rawScore, roundScore } from './score.ts';
import type { MatchRequest, MatchResult } from './types.ts';
import { DEFAULT_LIMIT } from './weights.ts';

export interface RankOptions extends MatchRequest {
  openProposals?: OpenProposalCounts;
  caps?: Caps;
}

export interface RankOutput {
  /** Best first, at most `limit`. */
  results: MatchResult[];
  /** Candidates looked at that failed eligibility or a hard constraint (the index stops early once the list is settled). */
  excludedCount: number;
  /** Set when the subject of the query has open proposals or is at its cap. */
  capNote?: string;
  /** Candidates that would have ranked but are at their own cap. */
  skipped: CapSkip[];
}

interface Scored {
  ctx: PairContext;
  raw: number;
  id: string;
}

/** Keeps the `k` best of a stream without sorting everything; `k` is small (20). */
export class TopK {
  readonly items: Scored[] = [];
  constructor(readonly k: number) {}

  /** Lowest raw score that still enters, for cheap rejection. */
  get threshold(): number {
    if (this.k === 0) return Number.POSITIVE_INFINITY;
    return this.items.length < this.k ? Number.NEGATIVE_INFINITY : (this.items.at(-1) as Scored).raw;
  }

  push(item: Scored): void {
    if (this.k === 0) return;
    if (this.items.length === this.k && !better(item, this.items.at(-1) as Scored)) return;
    let i = this.items.length;
    while (i > 0 && better(item, this.items[i - 1] as Scored)) i--;
    this.items.splice(i, 0, item);
    if (this.items.length > this.k) this.items.pop();
  }
}

function better(a: Scored, b: Scored): boolean {
  return a.raw > b.raw || (a.raw === b.raw && a.id < b.id);
}

/** Scores a pair that has passed the cheap filters; returns false when a hard constraint fails. */
export function offer(ctx: PairContext, id: string, top: TopK): boolean {
  if (!passesConstraints(ctx)) return false;
  top.push({ ctx, raw: rawScore(ctx), id });
  return true;
}

export function finish(
  top: TopK,
  req: RankOptions,
  excludedCount: number,
  capNote: string | undefined,
  skipped: TopK,
  skipNote: string,
): RankOutput {
  const results = top.items.map((s) => explainMatch(s.ctx, req));
  const lowest = top.threshold;
  const out: RankOutput = {
    results,
    excludedCount,
    // Only at-cap candidates that would have made the list are worth a note; none when the list itself is closed.
    skipped:
      top.k === 0
        ? []
        : skipped.items
            .filter((s) => s.raw >= lowest)
            .map((s) => ({ id: s.id, score: roundScore(s.raw), note: skipNote })),
  };
  if (capNote) out.capNote = capNote;
  return out;
}

export function limitOf(req: RankOptions): number {
  return req.limit ?? DEFAULT_LIMIT;
}
