import * as assert from 'node:assert/strict';
import { MAX_CHUNK_CHARS } from '../../../src/engine/index/chunk';
import { chunkFile } from '../../../src/engine/index/chunker';

function bigFunction(name: string, statements: number): string {
  const body = Array.from({ length: statements }, (_, i) => `  const value${i} = compute(${i}, 'some argument text here');`).join('\n');
  return `export async function ${name}(input: string): Promise<number> {\n${body}\n  return 0;\n}\n`;
}

describe('chunkFile (tree-sitter)', () => {
  it('makes one chunk per function and method, with doc comments and qualified names', async () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `    this.items.push(${i}); // keep the method above the merge threshold`).join('\n');
    const src = [
      "import { db } from './db';",
      '',
      '/** Finds a user by id. */',
      'export function findUser(id: string) {',
      filler(6),
      '}',
      '',
      'export class OrderService {',
      '  private items: number[] = [];',
      '  /** Places an order. */',
      '  place(order: Order) {',
      filler(30),
      '  }',
      '  cancel(id: string) {',
      filler(30),
      '  }',
      '}',
      '',
    ].join('\n');
    const chunks = await chunkFile('src/orders.ts', src);
    const symbols = chunks.map((c) => c.symbol);
    assert.ok(symbols.some((s) => s.includes('findUser')), symbols.join(' | '));
    // the merged chunk names everything it defines: the field above and the method
    const place = chunks.find((c) => c.symbol.split(', ').includes('OrderService.place') && c.text.includes('/** Places'));
    assert.ok(place, symbols.join(' | '));
    assert.ok(place.text.includes('/** Places an order. */'), 'leading doc comment kept');
    assert.ok(place.text.startsWith('export class OrderService {'), 'class signature as context');
    assert.equal(place.startLine, 14, 'the one-line field above is merged in (tiny neighbour)');
    const cancel = chunks.find((c) => c.symbol === 'OrderService.cancel');
    assert.ok(cancel && cancel.startLine > place.endLine);
    assert.ok(chunks.every((c) => c.language === 'typescript' && c.hash.length === 16));
    // every non-blank line is in some chunk
    const lines = src.split('\n');
    lines.forEach((line, i) => {
      if (line.trim()) assert.ok(chunks.some((c) => c.startLine <= i + 1 && i + 1 <= c.endLine), `line ${i + 1} uncovered`);
    });
  });

  it('splits a large function at statement boundaries, keeping the signature as context', async () => {
    const chunks = await chunkFile('big.ts', bigFunction('crunch', 200));
    assert.ok(chunks.length > 3);
    assert.ok(chunks.every((c) => c.symbol === 'crunch'));
    assert.ok(chunks.every((c) => c.text.length <= MAX_CHUNK_CHARS * 1.6));
    assert.ok(chunks.slice(1).every((c) => c.text.startsWith('export async function crunch(input: string): Promise<number> {')));
    assert.ok(chunks.every((c) => !/^\s+const value\d+ = compute\(\d+, 'some argu$/m.test(c.text)), 'no cut inside a statement');
  });

  it('merges tiny neighbours', async () => {
    const src = Array.from({ length: 6 }, (_, i) => `export const f${i} = () => ${i};`).join('\n');
    const chunks = await chunkFile('tiny.ts', src);
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0].symbol, 'f0, f1, f2, f3, f4, f5', 'a merged chunk carries every name it defines');
  });

  it('chunks Python classes and decorated methods', async () => {
    const method = (name: string) => `    @property\n    def ${name}(self):\n${Array.from({ length: 25 }, (_, i) => `        self.total += ${i}  # accumulate the running total`).join('\n')}\n        return self.total\n`;
    const src = `class Cart:\n    """A cart."""\n${method('total_price')}\n${method('item_count')}`;
    const chunks = await chunkFile('cart.py', src);
    assert.deepEqual(chunks.map((c) => c.symbol).filter((s) => s.includes('.')), ['Cart.total_price', 'Cart.item_count']);
    assert.ok(chunks.find((c) => c.symbol === 'Cart.total_price')!.text.includes('@property'));
  });

  it('still chunks a syntax-broken file (tree-sitter error nodes)', async () => {
    const src = `export function good() {\n  return 1;\n}\n\nfunction broken( {\n  if (x {\n    return ;;\n}\n\nexport class After {\n  m() { return 2 }\n}\n`;
    const chunks = await chunkFile('broken.ts', src);
    assert.ok(chunks.length >= 1);
    const all = chunks.map((c) => c.text).join('\n');
    for (const fragment of ['function good', 'function broken', 'class After']) assert.ok(all.includes(fragment), fragment);
  });

  it('handles an empty file and a whitespace-only file', async () => {
    assert.deepEqual(await chunkFile('empty.ts', ''), []);
    assert.deepEqual(await chunkFile('blank.py', '\n\n   \n'), []);
  });
});

describe('chunkFile (fallbacks)', () => {
  it('cuts Markdown at headings with the heading trail as symbol', async () => {
    const section = (n: number) => `${'Some prose about the topic. '.repeat(12)}\n`.repeat(n);
    const md = `# Guide\n\nintro\n\n## Install\n${section(2)}\n## Usage\n${section(2)}\n\`\`\`sh\n# not a heading\n\`\`\`\n`;
    const chunks = await chunkFile('README.md', md);
    assert.deepEqual(chunks.map((c) => c.symbol), ['Guide, Guide > Install', 'Guide > Usage']);
    assert.equal(chunks[0].language, 'markdown');
  });

  it('cuts SQL at statements and names them', async () => {
    const cols = Array.from({ length: 50 }, (_, i) => `  column_${i} text not null`).join(',\n');
    const sql = `CREATE TABLE IF NOT EXISTS users (\n${cols}\n);\n\ncreate table "orders" (\n${cols}\n);\nCREATE INDEX users_email ON users(email);\n`;
    const chunks = await chunkFile('schema.sql', sql);
    assert.deepEqual(chunks.map((c) => c.symbol), ['CREATE TABLE users', 'create table "orders", CREATE INDEX users_email']);
    assert.deepEqual(chunks.map((c) => [c.startLine, c.endLine]), [[1, 52], [54, 106]]);
    assert.equal(chunks[0].language, 'sql');
  });

  it('cuts Prisma schema at blocks and YAML at top-level keys', async () => {
    const fields = Array.from({ length: 15 }, (_, i) => `  field${i} String @default("value number ${i}")`).join('\n');
    const prisma = `model User {\n${fields}\n}\n\nmodel Post {\n${fields}\n}\n`;
    assert.deepEqual((await chunkFile('schema.prisma', prisma)).map((c) => c.symbol), ['model User', 'model Post']);
    const items = Array.from({ length: 20 }, (_, i) => `  - step number ${i} with a fairly long description`).join('\n');
    const yaml = `name: ci\non:\n  push: {}\njobs:\n${items}\n`;
    const y = await chunkFile('ci.yml', yaml);
    assert.equal(y.length, 1);
    assert.equal(y[0].symbol, 'name, on, jobs');
  });

  it('falls back to line windows for other text', async () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} of a plain text file with some words`).join('\n');
    const chunks = await chunkFile('notes.txt', text);
    assert.ok(chunks.length > 5);
    assert.equal(chunks[0].startLine, 1);
    assert.equal(chunks.at(-1)!.endLine, 400);
    for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i].startLine, chunks[i - 1].endLine + 1);
  });
});
