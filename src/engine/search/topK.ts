/**
 * Rows of the `k` highest scores, best first, ties to the lower row, skipping rows `keep` rejects.
 * A bounded min-heap: O(n log k) with no allocation per row, instead of sorting every score. Shared
 * by the vector scans and BM25 so every ranked list in Keel breaks ties the same way. `keep` is only
 * asked about rows that would enter the heap, so an expensive filter runs on few rows.
 */
export function topK(scores: ArrayLike<number>, k: number, keep?: (row: number) => boolean): number[] {
  const heap: number[] = [];
  if (k <= 0) return heap;
  const less = (a: number, b: number): boolean => scores[a] < scores[b] || (scores[a] === scores[b] && a > b);
  for (let row = 0; row < scores.length; row++) {
    if (heap.length === k && !less(heap[0], row)) continue;
    if (keep && !keep(row)) continue;
    if (heap.length < k) {
      heap.push(row);
      siftUp(heap, heap.length - 1, less);
    } else {
      heap[0] = row;
      siftDown(heap, 0, less);
    }
  }
  return heap.sort((a, b) => (less(a, b) ? 1 : less(b, a) ? -1 : 0));
}

function siftUp(heap: number[], i: number, less: (a: number, b: number) => boolean): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function siftDown(heap: number[], i: number, less: (a: number, b: number) => boolean): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && less(heap[l], heap[m])) m = l;
    if (r < heap.length && less(heap[r], heap[m])) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m], heap[i]];
    i = m;
  }
}
