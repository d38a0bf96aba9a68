import * as assert from 'node:assert/strict';
import { KeelError } from '../../../src/common/errors';
import { extractFeatures, FEATURE_NAMES } from '../../../src/engine/search/rerank/features';
import { LocalReranker } from '../../../src/engine/search/rerank/local';
import { LOCAL_RERANKER_WEIGHTS } from '../../../src/engine/search/rerank/localWeights';
import { createReranker } from '../../../src/engine/search/rerank/registry';
import { defaultSoftMatcher } from '../../../src/engine/search/rerank/softMatch';
import type { RerankCandidate } from '../../../src/engine/search/rerank/types';

function cand(path: string, symbol: string, text: string, fusedRank: number, language = 'typescript'): RerankCandidate {
  return { chunk: { id: `${path}#${fusedRank}`, path, language, symbol, startLine: 1, endLine: 10 }, text, fusedRank, fusedScore: 1 / (60 + fusedRank), bm25Rank: fusedRank, vectorRank: fusedRank };
}

const f = (vec: Float64Array, name: (typeof FEATURE_NAMES)[number]): number => vec[FEATURE_NAMES.indexOf(name)];

describe('local re-ranker features', () => {
  it('sees exact symbol hits, coverage, proximity, path matches, prose and open files', () => {
    const cands = [
      cand('src/billing/invoice.ts', 'InvoiceService.applyDiscount', 'applyDiscount(invoice, code) { const discount = lookup(code); invoice.total -= discount; }', 1),
      cand('docs/billing.md', 'Discounts', 'Discounts are applied to an invoice at checkout. Unrelated words here.', 2, 'markdown'),
      cand('src/users/user.ts', '', 'export interface User { id: string; name: string }', 3),
    ];
    const [code, doc, other] = extractFeatures('applyDiscount to an invoice', cands, { openFiles: ['src/users/user.ts'], recentFiles: ['docs/billing.md'] });
    assert.equal(f(code, 'symbolExact'), 1);
    assert.equal(f(doc, 'symbolExact'), 0);
    assert.ok(f(code, 'coverage') > f(other, 'coverage'));
    assert.equal(f(code, 'proximity'), 1, 'all query terms inside one window');
    assert.ok(f(code, 'symbolCover') > 0 && f(other, 'symbolCover') === 0);
    assert.ok(f(code, 'pathCover') > 0, 'invoice is in the file name');
    assert.equal(f(doc, 'prose'), 1);
    assert.equal(f(code, 'definition'), 1);
    assert.equal(f(other, 'definition'), 0);
    assert.equal(f(other, 'openFile'), 1);
    assert.equal(f(doc, 'recentFile'), 1);
    assert.equal(f(code, 'fusedRR'), 1);
    assert.equal(code.length, FEATURE_NAMES.length);
  });

  it("scales each retriever's score over its own list; absent counts as its last", () => {
    const [top, mid, absent] = [cand('a.ts', 'a', 'alpha', 1), cand('b.ts', 'b', 'beta', 2), cand('c.ts', 'c', 'gamma', 3)];
    const bm25Range = { max: 12, min: 2 };
    const vectorRange = { max: 0.8, min: 0.4 };
    const withScores = [
      { ...top, bm25Score: 12, vectorScore: 0.6, bm25Range, vectorRange },
      { ...mid, bm25Score: 7, vectorScore: 0.8, bm25Range, vectorRange },
      { ...absent, bm25Score: undefined, vectorScore: undefined, bm25Range, vectorRange },
    ];
    const [a, b, c] = extractFeatures('alpha', withScores);
    assert.equal(f(a, 'bm25Norm'), 1);
    assert.equal(f(b, 'bm25Norm'), 0.5);
    assert.equal(f(c, 'bm25Norm'), 0);
    assert.ok(Math.abs(f(a, 'vectorNorm') - 0.5) < 1e-9);
    assert.equal(f(b, 'vectorNorm'), 1);
    assert.equal(f(c, 'vectorNorm'), 0);
    assert.equal(f(b, 'vectorCos'), 0.8);
    assert.equal(f(c, 'vectorCos'), 0);
    // A one-hit list (max = min) is that hit at full strength, not a division by zero.
    const [single] = extractFeatures('alpha', [{ ...top, bm25Score: 3, bm25Range: { max: 3, min: 3 } }]);
    assert.equal(f(single, 'bm25Norm'), 1);
  });

  it('learned weights keep the fused-rank prior decreasing with rank', () => {
    const prior = (rank: number, n = 50): number =>
      LOCAL_RERANKER_WEIGHTS.fusedRR / rank + LOCAL_RERANKER_WEIGHTS.fusedLogRank * (1 - Math.log(rank) / Math.log(n + 1));
    for (let r = 1; r < 50; r++) assert.ok(prior(r) >= prior(r + 1), `prior(${r}) >= prior(${r + 1})`);
  });

  it("ignores the language's name in the query: in that language's code it says nothing", () => {
    const cands = [cand('a.py', 'sort_by_value', 'def sort_by_value(d): return sorted(d.items(), key=lambda kv: kv[1])', 1, 'python'), cand('b.py', 'banner', 'print("Python 3 required")', 2, 'python')];
    const [withWord, banner] = extractFeatures('python sort dict by value', cands);
    const [without] = extractFeatures('sort dict by value', cands);
    assert.equal(f(banner, 'coverage'), 0, 'mentioning "python" is not a match');
    assert.equal(f(withWord, 'coverage'), f(without, 'coverage'));
  });

  it('counts support from other candidates of the same file', () => {
    const cands = [cand('a.ts', 'x', 'alpha', 1), cand('b.ts', 'y', 'beta', 2), cand('a.ts', 'z', 'gamma', 4)];
    const [a1, b, a2] = extractFeatures('alpha', cands);
    assert.equal(f(a1, 'fileSupport'), 1 / 4);
    assert.equal(f(a2, 'fileSupport'), 1);
    assert.equal(f(b, 'fileSupport'), 0);
  });

  it('proximity measures closeness of the matched terms, not how many of them there are', () => {
    const filler = Array.from({ length: 30 }, (_, i) => `filler${i}`).join(' ');
    const cands = [
      cand('a.ts', '', `invoice discount ${filler}`, 1),
      cand('b.ts', '', `invoice ${filler} discount`, 2),
      cand('c.ts', '', `invoice ${filler}`, 3),
      cand('d.ts', '', `unrelated ${filler}`, 4),
      cand('e.ts', '', `invoice discount ${filler} rules`, 5),
    ];
    const [near, far, single, none, partly] = extractFeatures('invoice discount rules', cands);
    assert.equal(f(near, 'proximity'), 1, 'both matched terms inside one window');
    assert.equal(f(far, 'proximity'), 0, 'the same two terms 30 tokens apart');
    assert.ok(f(partly, 'proximity') > 0 && f(partly, 'proximity') < 1, 'two of its three matched terms together');
    assert.equal(f(single, 'proximity'), 0, 'one matched term says nothing about proximity');
    assert.equal(f(none, 'proximity'), 0);
  });

  it('softCover credits words matched by meaning through the embedded model, and drops out without it', () => {
    const cands = [
      cand('a.ts', 'deleteUser', 'deleteUser(id) { return db.users.delete(id) }', 1),
      cand('b.ts', 'parseColour', 'parseColour(x) { return x.trim() }', 2),
      cand('c.ts', 'removeUser', 'removeUser(id) { return db.users.remove(id) }', 3),
    ];
    const soft = defaultSoftMatcher();
    assert.ok(soft, 'the embedded model ships with the repository');
    const [synonym, unrelated, exact] = extractFeatures('remove the user', cands, {}, soft);
    assert.equal(f(exact, 'softCover'), 1, 'every query word present verbatim');
    assert.ok(f(synonym, 'softCover') > f(unrelated, 'softCover') + 0.3, `delete ≈ remove: ${f(synonym, 'softCover')} vs ${f(unrelated, 'softCover')}`);
    assert.ok(f(synonym, 'softCover') < 1);
    const [withoutModel] = extractFeatures('remove the user', cands, {}, null);
    assert.equal(f(withoutModel, 'softCover'), 0);
  });

  it('every feature has a weight and the open-file prior is positive', () => {
    for (const name of FEATURE_NAMES) assert.equal(typeof LOCAL_RERANKER_WEIGHTS[name], 'number', name);
    assert.ok(LOCAL_RERANKER_WEIGHTS.openFile > 0);
  });
});

describe('LocalReranker', () => {
  it('lifts the candidate that names the asked-for symbol above a better-fused one', async () => {
    const cands = [
      cand('src/util/strings.ts', 'padLeft', 'export function padLeft(s, n) { return s.padStart(n) }', 1),
      cand('src/users/parse.ts', 'parseUserId', 'export function parseUserId(raw) { const id = Number(raw); if (!Number.isInteger(id)) throw new Error("bad user id"); return id; }', 2),
    ];
    const scores = await new LocalReranker().rerank('parseUserId bad user id', cands);
    assert.equal(scores.length, 2);
    assert.ok(scores[1] > scores[0]);
  });

  it('an open file wins a tie', async () => {
    const cands = [cand('a/x.ts', 'handler', 'export function handler(req) { return req.body }', 1), cand('b/x.ts', 'handler', 'export function handler(req) { return req.body }', 1)];
    const scores = await new LocalReranker().rerank('handler body', cands, { openFiles: ['b/x.ts'] });
    assert.ok(scores[1] > scores[0]);
  });
});

describe('createReranker', () => {
  it('resolves names and fails with coded errors when a dependency is missing', () => {
    assert.equal(createReranker('none'), undefined);
    assert.equal(createReranker(undefined)?.id, 'local', 'local is the default');
    assert.equal(createReranker('local')?.id, 'local');
    assert.throws(() => createReranker('magic'), (e: KeelError) => e.code === 'INVALID_PARAMS');
    assert.throws(() => createReranker('cohere'), (e: KeelError) => e.code === 'NOT_AVAILABLE');
    assert.throws(() => createReranker('cohere', { fetch, apiKey: () => undefined }), (e: KeelError) => e.code === 'PROVIDER_NOT_CONFIGURED');
    assert.throws(() => createReranker('llm', {}), (e: KeelError) => e.code === 'PROVIDER_NOT_CONFIGURED');
    assert.equal(createReranker('voyage:rerank-2.5-lite', { fetch, apiKey: () => 'k' })?.id, 'voyage:rerank-2.5-lite');
    assert.equal(createReranker('jina', { fetch, apiKey: () => 'k' })?.id, 'jina:jina-reranker-v2-base-multilingual');
  });
});
