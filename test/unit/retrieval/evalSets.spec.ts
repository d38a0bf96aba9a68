import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { declarationName, findDocComments, findDocumentedFunctions, stripDocComments, summarize } from '../../../scripts/retrieval/docComments';
import { defaultCosqaPath, loadCosqa } from '../../../scripts/retrieval/cosqa';
import { rankOf, summarize as metrics } from '../../../scripts/retrieval/metrics';
import { CORPUS_PACKAGES, isCorpusFile, TRAINING_PACKAGES } from '../../../scripts/retrieval/packages';
import { NPM_PACKAGES, PYTHON_APT_PACKAGES } from '../../../scripts/embedder/corpus';
import { PYTHON_TRAINING_PACKAGES } from '../../../scripts/retrieval/debPackages';
import { webQuery } from '../../../scripts/retrieval/functionSet';

const SOURCE = `'use strict';
const glob = 'src/**/*.js'; // not a comment start inside a string
/**
 * Creates a debounced function that delays invoking \`func\` until after \`wait\` ms.
 * See {@link throttle} for the other one.
 *
 * @param {Function} func The function to debounce.
 * @returns {Function} Returns the new debounced function.
 */
function debounce(func, wait) {
  return func;
}

/** @private */
const helper = () => 1;

/**
 * Parses the [retry-after](https://example.com) header, e.g. "120" or a date.
 */
export const parseRetryAfter = (header) => Number(header);

class Pool {
  /**
   * Acquire a {@link Connection connection} from the pool.
   */
  async acquire() {}
}
`;

describe('repository-level set: doc comments', () => {
  it('finds documented functions with their cleaned first-sentence summaries', () => {
    const found = findDocumentedFunctions(SOURCE);
    assert.deepEqual(found.map((f) => [f.name, f.summary]), [
      ['debounce', 'Creates a debounced function that delays invoking func until after wait ms.'],
      ['parseRetryAfter', 'Parses the retry-after header, e.g. "120" or a date.'],
      ['acquire', 'Acquire a connection from the pool.'],
    ]);
    assert.equal(found[0].line, 10);
  });

  it('strips every doc comment but keeps line numbers and code, including /** inside strings', () => {
    const stripped = stripDocComments(SOURCE);
    assert.equal(stripped.split('\n').length, SOURCE.split('\n').length);
    assert.ok(!stripped.includes('debounced') && !stripped.includes('@param') && !stripped.includes('Acquire a'));
    assert.ok(stripped.includes("const glob = 'src/**/*.js';"));
    assert.equal(stripped.split('\n')[9], 'function debounce(func, wait) {');
    assert.equal(findDocComments(SOURCE).length, 4);
  });

  it('summaries skip tag-only comments, headings and walls of text', () => {
    assert.equal(summarize('* @private'), undefined);
    assert.equal(summarize('* ### .above(n)\n*\n* Asserts that the target is above n.'), 'Asserts that the target is above n.');
    assert.equal(summarize('* Ok.'), undefined);
    assert.equal(summarize(`* ${'word '.repeat(80)}`), undefined);
    assert.equal(declarationName('if (x) {'), undefined);
    assert.equal(declarationName('Router.prototype.route = function route(path) {'), 'route');
    assert.equal(declarationName('export function map<T, R>(project: (value: T) => R): OperatorFunction<T, R>;'), 'map');
  });

  it('evaluation packages are disjoint from the training packages and from the embedder corpus', () => {
    const evalNames = new Set(CORPUS_PACKAGES.map((p) => p.name));
    for (const p of TRAINING_PACKAGES) assert.ok(!evalNames.has(p.name), `${p.name} is in both sets`);
    for (const spec of NPM_PACKAGES) {
      const name = spec.slice(0, spec.lastIndexOf('@'));
      assert.ok(!evalNames.has(name), `${name} was used to train the embedder`);
    }
    const axios = CORPUS_PACKAGES.find((p) => p.name === 'axios')!;
    assert.ok(isCorpusFile(axios, 'lib/core/Axios.js'));
    assert.ok(!isCorpusFile(axios, 'dist/axios.min.js'));
    assert.ok(!isCorpusFile(axios, 'lib/types.d.ts'));
    assert.ok(!isCorpusFile(CORPUS_PACKAGES.find((p) => p.name === 'cheerio')!, 'src/api/attributes.spec.ts'));
  });
});

describe('CoSQA loader and metrics', () => {
  it('loads CoSQA dev in its standard retrieval form', () => {
    assert.ok(fs.existsSync(defaultCosqaPath()), 'CoSQA dev is expected at ../shared/data/retrieval/');
    const set = loadCosqa(defaultCosqaPath());
    assert.equal(set.docs.length, 604);
    assert.equal(set.queries.length, 313);
    assert.ok(set.queries.every((q) => set.docs.some((d) => d.id === q.relevant)));
  });

  it('ranks distinct keys and computes MRR@10 and recall', () => {
    assert.equal(rankOf(['a', 'a', 'b', 'c'], 'c'), 3);
    assert.equal(rankOf(['a'], 'z'), undefined);
    const m = metrics([1, 2, undefined, 11]);
    assert.equal(m.queries, 4);
    assert.equal(m.mrr10, 0.375);
    assert.equal(m.recall1, 0.25);
    assert.equal(m.recall5, 0.5);
    assert.equal(m.recall10, 0.5);
  });
});

describe('re-ranker training data', () => {
  it("takes no Python package the embedder was trained on (nor one installed in its dist-packages corpus)", () => {
    for (const pkg of PYTHON_TRAINING_PACKAGES) {
      assert.ok(!PYTHON_APT_PACKAGES.includes(pkg.name), `${pkg.name} is in the embedder's corpus`);
      assert.match(pkg.sha256, /^[0-9a-f]{64}$/);
    }
  });

  it('shapes web-style queries: language first, lower case, filler words and punctuation gone, at most 7 words', () => {
    assert.equal(webQuery('Returns the list of `chunks` for the given module.', 'javascript'), 'javascript returns list chunks for module');
    assert.equal(webQuery('Creates a directory and any parent directories that may need to be created.', 'python'), 'python creates directory and any parent directories may');
  });
});
