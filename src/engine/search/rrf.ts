/**
 * Reciprocal Rank Fusion (Cormack et al. 2009): score(d) = Σ_r weight_r / (k + rank_r(d)), ranks from 1.
 * Only ranks matter, so BM25 scores and cosine similarities — on incomparable scales — fuse without
 * calibration. k = 60 is the paper's default; per-retriever weights let the caller trust one list more.
 */

export interface RankedList {
  /** Ids best first. */
  ids: readonly string[];
  /** Default 1. */
  weight?: number;
}

export interface FusedHit {
  id: string;
  score: number;
  /** 1-based rank in each input list (undefined where absent), same order as the lists. */
  ranks: Array<number | undefined>;
}

export function reciprocalRankFusion(lists: readonly RankedList[], options: { k?: number; limit?: number } = {}): FusedHit[] {
  const k = options.k ?? 60;
  const fused = new Map<string, FusedHit>();
  lists.forEach((list, li) => {
    const weight = list.weight ?? 1;
    const seen = new Set<string>();
    list.ids.forEach((id, i) => {
      if (seen.has(id)) return; // a duplicate in one list must not count twice
      seen.add(id);
      let hit = fused.get(id);
      if (!hit) {
        hit = { id, score: 0, ranks: new Array(lists.length).fill(undefined) };
        fused.set(id, hit);
      }
      hit.ranks[li] = i + 1;
      hit.score += weight / (k + i + 1);
    });
  });
  const out = [...fused.values()].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  return options.limit === undefined ? out : out.slice(0, options.limit);
}
