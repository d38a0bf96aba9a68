/**
 * Keel's keyword index: BM25 over an inverted index that is updated in place. vectra's own BM25 mode
 * rebuilds its engine on every query (36 s per query at 20k items), so Keel keeps its own postings.
 *
 * Layout, chosen for a small heap at ~50k chunks: one posting list per term, each entry a single
 * number `docNum * TF_SPAN + weightedTf` (a V8 small integer while docNum < 2^19), lists sorted by
 * docNum because new documents always get the next number. Each document remembers its term ids so
 * removal is exact (df stays right); numbers freed by removal are compacted away on serialisation.
 * Field boosts are applied as weighted term frequency: an occurrence in the symbol name counts as
 * SYMBOL_BOOST body occurrences, in the path as PATH_BOOST.
 */
import { analyze } from './analyzer';
import { topK } from './topK';

export interface Bm25Document {
  text: string;
  /** Qualified symbol name (`UserService.findById`): its tokens are boosted. */
  symbol?: string;
  /** Workspace-relative path: its tokens are boosted a little. */
  path?: string;
}

export interface Bm25Hit {
  docId: string;
  score: number;
}

export interface Bm25Options {
  k1?: number;
  b?: number;
  symbolBoost?: number;
  pathBoost?: number;
}

const TF_SPAN = 4096;
/** The largest term frequency a posting keeps (document length counts the uncapped frequency). */
export const MAX_TF = TF_SPAN - 1;
export const BM25_DEFAULTS = { k1: 1.2, b: 0.75, symbolBoost: 3, pathBoost: 2 } as const;

/**
 * A document's weighted term frequencies, exactly as the index counts them: body ×1, symbol tokens
 * ×symbolBoost, path tokens ×pathBoost. Exported so that other stores (the PostgreSQL team store)
 * post the same terms and rank identically.
 */
export function documentTerms(doc: Bm25Document, symbolBoost: number = BM25_DEFAULTS.symbolBoost, pathBoost: number = BM25_DEFAULTS.pathBoost): Map<string, number> {
  const weights = new Map<string, number>();
  const count = (tokens: string[], weight: number): void => {
    for (const t of tokens) weights.set(t, (weights.get(t) ?? 0) + weight);
  };
  count(analyze(doc.text), 1);
  if (doc.symbol) count(analyze(doc.symbol), symbolBoost);
  if (doc.path) count(analyze(doc.path), pathBoost);
  return weights;
}
const MAGIC = 'KBM25v1\n';

export class Bm25Index {
  readonly k1: number;
  readonly b: number;
  readonly symbolBoost: number;
  readonly pathBoost: number;

  private readonly termIds = new Map<string, number>();
  private terms: string[] = [];
  /**
   * Posting lists. After deserialisation they are views into the snapshot (no copy: reopening 50k
   * chunks stays fast) and become plain arrays the first time a document touching them changes.
   */
  private postings: Array<number[] | Float64Array> = [];
  private docIds: Array<string | undefined> = [];
  private docNums = new Map<string, number>();
  private docLen: number[] = [];
  /** Term ids per document, for exact removal. Rebuilt lazily after deserialisation. */
  private docTerms: Array<Uint32Array | undefined> | undefined = [];
  private totalLen = 0;
  /** Per-document score accumulator for search(); all zeros between calls. */
  private scores = new Float64Array(0);
  /** Bumped on every add / remove: the group table of searchGroups() is valid for one version. */
  private version = 0;
  private groups: { version: number; groupOf: (docId: string) => string | undefined; of: Int32Array; keys: string[]; len: Float64Array; totalLen: number } | undefined;

  constructor(options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    this.symbolBoost = Math.round(options.symbolBoost ?? 3);
    this.pathBoost = Math.round(options.pathBoost ?? 2);
  }

  /** Number of live documents. */
  get size(): number {
    return this.docNums.size;
  }

  /** Share of live documents that contain `term` (an analyzer term), 0 when none does. */
  documentShare(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined || this.docNums.size === 0 ? 0 : this.postings[id].length / this.docNums.size;
  }

  has(docId: string): boolean {
    return this.docNums.has(docId);
  }

  /** Adds a document, replacing any previous document with the same id. */
  add(docId: string, doc: Bm25Document): void {
    this.addTerms(docId, documentTerms(doc, this.symbolBoost, this.pathBoost));
  }

  /**
   * Adds a document by its weighted terms (documentTerms() with this index's boosts), replacing any
   * previous document with the same id: how a persisted change log is replayed without the texts.
   */
  addTerms(docId: string, weights: ReadonlyMap<string, number>): void {
    if (this.docNums.has(docId)) this.remove(docId);
    this.version++;

    const num = this.docIds.length;
    this.docIds.push(docId);
    this.docNums.set(docId, num);
    const termList = new Uint32Array(weights.size);
    let len = 0;
    let i = 0;
    for (const [term, tf] of weights) {
      const id = this.termId(term);
      this.mutable(id).push(num * TF_SPAN + Math.min(tf, MAX_TF));
      termList[i++] = id;
      len += tf;
    }
    this.docLen.push(len);
    this.totalLen += len;
    this.ensureDocTerms()[num] = termList;
  }

  /** Removes a document; returns false if it was not there. */
  remove(docId: string): boolean {
    const num = this.docNums.get(docId);
    if (num === undefined) return false;
    this.version++;
    const termList = this.ensureDocTerms()[num];
    for (const id of termList ?? []) {
      const list = this.mutable(id);
      const at = findDoc(list, num);
      if (at >= 0) list.splice(at, 1);
    }
    this.docNums.delete(docId);
    this.docIds[num] = undefined;
    this.docTerms![num] = undefined;
    this.totalLen -= this.docLen[num];
    this.docLen[num] = 0;
    return true;
  }

  /**
   * The best `k` documents for `query`, best first. `filter` can veto documents by id. A query given as
   * term → weight (a long bug report's planned terms, queryPlan.ts) scales each term's contribution;
   * a plain string counts each distinct term once.
   */
  search(query: string | ReadonlyMap<string, number>, k: number, filter?: (docId: string) => boolean): Bm25Hit[] {
    const n = this.docNums.size;
    if (n === 0 || k <= 0) return [];
    const queryTerms: ReadonlyMap<string, number> = typeof query === 'string' ? new Map(analyze(query).map((t) => [t, 1])) : query;
    const avgLen = this.totalLen / n || 1;
    const scores = this.scoreBuffer();
    const touched: number[] = [];
    for (const [term, weight] of queryTerms) {
      if (!(weight > 0)) continue;
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const list = this.postings[id];
      const df = list.length;
      if (df === 0) continue;
      const idf = weight * Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const { k1, b } = this;
      for (let i = 0; i < df; i++) {
        const entry = list[i];
        const doc = Math.floor(entry / TF_SPAN);
        const tf = entry - doc * TF_SPAN;
        if (scores[doc] === 0) touched.push(doc);
        scores[doc] += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * this.docLen[doc]) / avgLen));
      }
    }
    // Rank the touched documents with a bounded heap instead of sorting them all: a common term touches
    // tens of thousands of documents. With the reused buffer this took BM25 at 50k chunks from p50 5.4 /
    // p95 12 ms to 1.1 / 2.5 ms. Ties go to the earlier touched document, as in the stable sort it replaces.
    const touchedScores = new Float64Array(touched.length);
    for (let j = 0; j < touched.length; j++) {
      touchedScores[j] = scores[touched[j]];
      scores[touched[j]] = 0; // the buffer is all zeros between queries
    }
    const best = topK(touchedScores, k, filter && ((j) => filter(this.docIds[touched[j]]!)));
    return best.map((j) => ({ docId: this.docIds[touched[j]]!, score: touchedScores[j] }));
  }

  /**
   * BM25 over GROUPS of documents (a file's chunks): each group is scored as one document whose term
   * frequencies and length are the sums of its members', with N and df counted in groups. This is the
   * whole-file field a bug report needs — its words are spread over a file, and a file that covers
   * many of them beats one whose single chunk repeats a few — computed from the chunk postings at
   * query time, so the index stores nothing new. `groupOf` must be a pure function of the document id
   * (its grouping is cached until the next add or remove); documents it maps to undefined, and those
   * `filter` vetoes, are left out.
   */
  searchGroups(
    query: string | ReadonlyMap<string, number>,
    k: number,
    groupOf: (docId: string) => string | undefined,
    filter?: (docId: string) => boolean,
  ): Array<{ group: string; score: number }> {
    if (this.docNums.size === 0 || k <= 0) return [];
    const g = this.groupTable(groupOf);
    const groupCount = g.keys.length;
    if (groupCount === 0) return [];
    const queryTerms: ReadonlyMap<string, number> = typeof query === 'string' ? new Map(analyze(query).map((t) => [t, 1])) : query;
    const avgLen = g.totalLen / groupCount || 1;
    const { k1, b } = this;
    const tfs = new Float64Array(groupCount);
    const scores = new Float64Array(groupCount);
    const touched: number[] = [];
    const termGroups: number[] = [];
    // A filter applies to documents; its verdicts are cached per query so a document costs one call.
    const allowed = filter ? new Int8Array(this.docIds.length) : undefined;
    for (const [term, weight] of queryTerms) {
      if (!(weight > 0)) continue;
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const list = this.postings[id];
      termGroups.length = 0;
      for (let i = 0; i < list.length; i++) {
        const entry = list[i];
        const doc = Math.floor(entry / TF_SPAN);
        const group = g.of[doc];
        if (group < 0) continue;
        if (allowed) {
          if (allowed[doc] === 0) allowed[doc] = filter!(this.docIds[doc]!) ? 1 : -1;
          if (allowed[doc] < 0) continue;
        }
        if (tfs[group] === 0) termGroups.push(group);
        tfs[group] += entry - doc * TF_SPAN;
      }
      const df = termGroups.length;
      if (df === 0) continue;
      const idf = weight * Math.log(1 + (groupCount - df + 0.5) / (df + 0.5));
      for (const group of termGroups) {
        const tf = tfs[group];
        tfs[group] = 0;
        if (scores[group] === 0) touched.push(group);
        scores[group] += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * g.len[group]) / avgLen));
      }
    }
    const touchedScores = Float64Array.from(touched, (group) => scores[group]);
    return topK(touchedScores, k).map((j) => ({ group: g.keys[touched[j]], score: touchedScores[j] }));
  }

  /** Document number → group number, group keys and summed lengths; rebuilt after any change. */
  private groupTable(groupOf: (docId: string) => string | undefined): { of: Int32Array; keys: string[]; len: Float64Array; totalLen: number } {
    const cached = this.groups;
    if (cached && cached.version === this.version && cached.groupOf === groupOf) return cached;
    const of = new Int32Array(this.docIds.length).fill(-1);
    const numbers = new Map<string, number>();
    const keys: string[] = [];
    const lengths: number[] = [];
    let totalLen = 0;
    this.docIds.forEach((id, num) => {
      if (id === undefined) return;
      const key = groupOf(id);
      if (key === undefined) return;
      let group = numbers.get(key);
      if (group === undefined) {
        group = keys.length;
        numbers.set(key, group);
        keys.push(key);
        lengths.push(0);
      }
      of[num] = group;
      lengths[group] += this.docLen[num];
      totalLen += this.docLen[num];
    });
    this.groups = { version: this.version, groupOf, of, keys, len: Float64Array.from(lengths), totalLen };
    return this.groups;
  }

  /**
   * One zeroed score slot per document number, reused across queries rather than allocating and
   * zeroing 8 bytes per document (400 KB at 50k) on every query. Grown when documents were added.
   */
  private scoreBuffer(): Float64Array {
    if (this.scores.length < this.docIds.length) this.scores = new Float64Array(Math.max(this.docIds.length, this.scores.length * 2));
    return this.scores;
  }

  /**
   * Builds what removals need (per-document term lists) now rather than on the first removal after a
   * reopen, where it would add ~0.5 s at 50k chunks to the first live update.
   */
  prepareForUpdates(): void {
    this.ensureDocTerms();
  }

  /** Binary snapshot; removed documents are compacted away. */
  serialize(): Buffer {
    const renumber = new Int32Array(this.docIds.length).fill(-1);
    const liveIds: string[] = [];
    const liveLen: number[] = [];
    this.docIds.forEach((id, num) => {
      if (id === undefined) return;
      renumber[num] = liveIds.length;
      liveIds.push(id);
      liveLen.push(this.docLen[num]);
    });
    const keptTerms: string[] = [];
    const counts: number[] = [];
    let total = 0;
    this.postings.forEach((list, id) => {
      if (list.length === 0) return;
      keptTerms.push(this.terms[id]);
      counts.push(list.length);
      total += list.length;
    });
    const entries = new Float64Array(total);
    let at = 0;
    for (const list of this.postings) {
      for (const entry of list) {
        const doc = Math.floor(entry / TF_SPAN);
        entries[at++] = renumber[doc] * TF_SPAN + (entry - doc * TF_SPAN);
      }
    }
    const header = Buffer.from(
      JSON.stringify({
        k1: this.k1, b: this.b, symbolBoost: this.symbolBoost, pathBoost: this.pathBoost,
        docIds: liveIds, docLen: liveLen, terms: keptTerms,
      }),
    );
    const countBytes = Buffer.from(new Uint32Array(counts).buffer);
    const pad = (8 - ((MAGIC.length + 4 + header.length + countBytes.length) % 8)) % 8;
    const head = Buffer.alloc(MAGIC.length + 4);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(header.length, MAGIC.length);
    return Buffer.concat([head, header, countBytes, Buffer.alloc(pad), Buffer.from(entries.buffer)]);
  }

  /** Inverse of serialize(); throws on a truncated or foreign buffer. */
  static deserialize(buffer: Buffer): Bm25Index {
    if (buffer.length < MAGIC.length + 4 || buffer.toString('latin1', 0, MAGIC.length) !== MAGIC) {
      throw new Error('not a Keel BM25 snapshot');
    }
    const headerLen = buffer.readUInt32LE(MAGIC.length);
    let at = MAGIC.length + 4;
    const header = JSON.parse(buffer.toString('utf8', at, at + headerLen)) as {
      k1: number; b: number; symbolBoost: number; pathBoost: number;
      docIds: string[]; docLen: number[]; terms: string[];
    };
    at += headerLen;
    const index = new Bm25Index(header);
    const termCount = header.terms.length;
    if (buffer.length < at + termCount * 4) throw new Error('truncated BM25 snapshot');
    const counts = new Uint32Array(buffer.buffer.slice(buffer.byteOffset + at, buffer.byteOffset + at + termCount * 4));
    at += termCount * 4;
    at += (8 - (at % 8)) % 8;
    let total = 0;
    for (const c of counts) total += c;
    if (buffer.length !== at + total * 8) throw new Error('truncated BM25 snapshot');
    const entries = new Float64Array(buffer.buffer.slice(buffer.byteOffset + at, buffer.byteOffset + at + total * 8));
    let from = 0;
    for (let id = 0; id < termCount; id++) {
      index.termIds.set(header.terms[id], id);
      index.postings.push(entries.subarray(from, from + counts[id]));
      from += counts[id];
    }
    index.terms = header.terms;
    index.docIds = header.docIds.slice();
    header.docIds.forEach((id, num) => index.docNums.set(id, num));
    index.docLen = header.docLen.slice();
    index.totalLen = header.docLen.reduce((s, l) => s + l, 0);
    index.docTerms = undefined; // rebuilt on first removal: keeps reopening fast
    return index;
  }

  private mutable(id: number): number[] {
    const list = this.postings[id];
    if (Array.isArray(list)) return list;
    const copy = Array.from(list);
    this.postings[id] = copy;
    return copy;
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.terms.push(term);
      this.postings.push([]);
      this.termIds.set(term, id);
    }
    return id;
  }

  private ensureDocTerms(): Array<Uint32Array | undefined> {
    if (this.docTerms) return this.docTerms;
    const counts = new Uint32Array(this.docIds.length);
    for (const list of this.postings) for (const e of list) counts[Math.floor(e / TF_SPAN)]++;
    const lists: Array<Uint32Array | undefined> = Array.from(counts, (c, num) =>
      this.docIds[num] === undefined ? undefined : new Uint32Array(c),
    );
    const fill = new Uint32Array(this.docIds.length);
    this.postings.forEach((list, id) => {
      for (const e of list) {
        const doc = Math.floor(e / TF_SPAN);
        lists[doc]![fill[doc]++] = id;
      }
    });
    this.docTerms = lists;
    return lists;
  }
}

/** Index of `doc`'s entry in a posting list sorted by document number, or -1. */
function findDoc(list: ArrayLike<number>, doc: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = Math.floor(list[mid] / TF_SPAN);
    if (d === doc) return mid;
    if (d < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
