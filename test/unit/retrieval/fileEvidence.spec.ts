/**
 * Issue 14, session 5: whole-file BM25 (each file's chunks scored as one document), documentation
 * intent read from prose only, dotted module names as file mentions, and `Class.member` calling out
 * the class for the definition boost. Own fixtures.
 */
import * as assert from 'node:assert/strict';
import { Bm25Index } from '../../../src/engine/search/bm25';
import { calledOutNames, DEFAULT_FILE_RANK, rankFiles } from '../../../src/engine/search/fileRank';
import { hybridSearch } from '../../../src/engine/search/hybrid';
import { asksForDocs, modulePaths, planQuery } from '../../../src/engine/search/queryPlan';
import { MemorySource } from '../../../src/engine/search/source';
import { chunk, HashEmbedder } from './helpers';

describe('whole-file BM25 (Bm25Index.searchGroups)', () => {
  const file = (id: string): string => id.split('#')[0];

  it('scores a file whose chunks together cover the query above one whose single chunk repeats one word', () => {
    const index = new Bm25Index();
    // spread.py covers parse, header, rows, writer across three chunks; dense.py repeats "parse"
    index.add('spread.py#0', { text: 'def parse(lines): return lines' });
    index.add('spread.py#1', { text: 'def header(rows): return rows[0]' });
    index.add('spread.py#2', { text: 'class Writer: pass' });
    index.add('dense.py#0', { text: 'parse parse parse parse parse parse rows' });
    for (let i = 0; i < 6; i++) index.add(`other${i}.py#0`, { text: `def unrelated${i}(): return ${i}` });
    const query = 'parse header rows writer';
    const files = index.searchGroups(query, 5, file);
    assert.equal(files[0].group, 'spread.py');
    assert.deepEqual(new Set(files.map((f) => f.group)), new Set(['spread.py', 'dense.py']));
  });

  it('sums term counts and lengths exactly as one document would be scored', () => {
    const split = new Bm25Index();
    split.add('a#0', { text: 'alpha beta' });
    split.add('a#1', { text: 'beta gamma' });
    split.add('b#0', { text: 'delta epsilon' });
    const whole = new Bm25Index();
    whole.add('a', { text: 'alpha beta beta gamma' });
    whole.add('b', { text: 'delta epsilon' });
    const grouped = split.searchGroups('beta gamma', 2, file);
    const direct = whole.search('beta gamma', 2);
    assert.equal(grouped.length, 1);
    assert.equal(grouped[0].group, 'a');
    assert.ok(Math.abs(grouped[0].score - direct[0].score) < 1e-12, `${grouped[0].score} vs ${direct[0].score}`);
  });

  it('follows adds and removes, and applies a document filter', () => {
    const index = new Bm25Index();
    index.add('a#0', { text: 'retry backoff' });
    index.add('b#0', { text: 'retry' });
    assert.equal(index.searchGroups('retry backoff', 2, file)[0].group, 'a');
    index.remove('a#0');
    assert.deepEqual(index.searchGroups('retry backoff', 2, file).map((f) => f.group), ['b']);
    index.add('c#0', { text: 'retry backoff jitter' });
    assert.equal(index.searchGroups('retry backoff', 2, file)[0].group, 'c');
    assert.deepEqual(index.searchGroups('retry backoff', 2, file, (id) => !id.startsWith('c')).map((f) => f.group), ['b']);
  });

  it('MemorySource keys files as fileKey() does', () => {
    const source = new MemorySource();
    void source.add([chunk('x#0', 'src/x.ts', 1, 2, 'x', 'export const retry = 1'), chunk('x#1', 'src/x.ts', 3, 4, 'y', 'export const backoff = 2')]);
    const hits = source.fileKeywordSearch('retry backoff', 5);
    assert.deepEqual(hits.map((h) => h.key), ['0:src/x.ts']);
  });
});

describe('file ranking with the whole-file list', () => {
  it('a file only the whole-file list finds is ranked, and hybrid search returns its passage', async () => {
    const source = new MemorySource(new HashEmbedder());
    const filler = Array.from({ length: 30 }, (_, i) => chunk(`f${i}#0`, `src/noise${i}.py`, 1, 5, `noise${i}`, `def noise${i}(): return "header"`, 'python'));
    await source.add([
      ...filler,
      chunk('w#0', 'src/writer.py', 1, 5, 'Writer', 'class Writer:\n    delimiter = "|"', 'python'),
      chunk('w#1', 'src/writer.py', 6, 9, 'Writer.rows', 'def rows(self, table): return table.rows', 'python'),
      chunk('w#2', 'src/writer.py', 10, 12, 'Writer.units', 'def units(self, table): return table.units', 'python'),
    ]);
    const query = 'writer should support header rows with units\n'.repeat(12);
    const plan = planQuery(query);
    const wholeFiles = source.fileKeywordSearch(plan.terms, 10);
    const ranked = rankFiles([], [], plan, { ...DEFAULT_FILE_RANK, fileBm25Weight: 1 }, wholeFiles);
    assert.ok(ranked.has('0:src/writer.py'));
    assert.equal(ranked.get('0:src/writer.py')!.kind, 'source');
    const r = await hybridSearch(source, query, { top: 3, candidates: 3, fileRank: { fileBm25Weight: 1 } });
    assert.equal(r.passages[0].path, 'src/writer.py', r.passages.map((p) => p.path).join(', '));
    const off = await hybridSearch(source, query, { top: 3, candidates: 3, fileRank: { fileBm25Weight: 0 } });
    assert.ok(off.passages.length > 0);
  });
});

describe('documentation intent', () => {
  it('a bug report asks for docs only in its title, and never through URLs, code or compound names', () => {
    const body = 'The card is broken.\n\nSee https://github.com/acme/github-readme-stats#readme and our docs_url setting.\n'.repeat(10);
    assert.equal(planQuery(`Stats card shows wrong rank\n${body}`).docIntent, false);
    assert.equal(planQuery(`Typo in the README install section\n${body}`).docIntent, true);
    assert.equal(asksForDocs('github-readme-stats card broken', 'question'), false);
    assert.equal(asksForDocs('where is the retry policy documented', 'question'), true);
    assert.equal(asksForDocs('see `docs/setup.md`', 'question'), false);
    // the old reading, kept as an option, fires on the project's name
    assert.equal(planQuery(`Stats card shows wrong rank\n${body}`, { tf: 'flat', identifier: 1, frame: 2, path: 2, quoted: 0, docIntent: 'anywhere' }).docIntent, true);
  });
});

describe('dotted names', () => {
  it('module-like dotted names become module paths (with and without the last part)', () => {
    assert.deepEqual(modulePaths(['astropy.io.ascii.qdp']).sort(), ['astropy/io/ascii', 'astropy/io/ascii/qdp']);
    assert.deepEqual(modulePaths(['ascii.rst']), ['ascii/rst']);
    assert.deepEqual(modulePaths(['sympy.core.numbers.Float']), ['sympy/core/numbers']);
    assert.deepEqual(modulePaths(['RST.__init__', 'Table.read', 'a..b']), []);
  });

  it('a file the query names as a module gets the mention boost', () => {
    const plan = planQuery('tbl.write(sys.stdout, format="ascii.rst") fails with header rows');
    const hits = [
      { chunk: chunk('core#0', 'astropy/io/ascii/core.py', 1, 9, 'BaseReader', 'header rows writer', 'python'), score: 9 },
      { chunk: chunk('rst#0', 'astropy/io/ascii/rst.py', 1, 9, 'SimpleRstHeader', 'class SimpleRstHeader(FixedWidthHeader): header', 'python'), score: 5 },
    ];
    const on = rankFiles(hits, [], plan, DEFAULT_FILE_RANK);
    assert.ok(on.get('0:astropy/io/ascii/rst.py')!.score > on.get('0:astropy/io/ascii/core.py')!.score);
    const off = rankFiles(hits, [], plan, { ...DEFAULT_FILE_RANK, moduleMentions: false });
    assert.ok(off.get('0:astropy/io/ascii/rst.py')!.score < off.get('0:astropy/io/ascii/core.py')!.score);
  });

  it('`Class.member` calls out the class; special methods call out nothing', () => {
    const names = calledOutNames(planQuery("TypeError: RST.__init__() got an unexpected keyword argument 'header_rows'"));
    assert.ok(names.has('rst'));
    assert.ok(!names.has('__init__'));
    assert.ok(!calledOutNames(planQuery('TypeError: RST.__init__() got an unexpected keyword'), false).has('rst'));
  });
});
