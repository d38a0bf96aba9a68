import assert from 'node:assert/strict';
import { assembleContext, DEFAULT_BUDGET, importedNames, memoryCompletionIndex, SymbolTable, type CompletionIndex } from '../../../src/engine/completions/context';
import { MemorySource, type MemoryChunk } from '../../../src/engine/search/source';

const FILES: Record<string, string> = {
  'src/db/users.ts': 'export interface User {\n  id: string;\n  email: string;\n}\n\nexport async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {\n  return db.query("select * from users where email = $1", [email]);\n}\n',
  'src/util/money.ts': 'export function formatCents(cents: number): string {\n  return `$${(cents / 100).toFixed(2)}`;\n}\n',
};

function index(): CompletionIndex {
  const chunks: MemoryChunk[] = [
    { id: 'u1', path: 'src/db/users.ts', language: 'typescript', symbol: 'User, findUserByEmail', startLine: 1, endLine: 8, text: FILES['src/db/users.ts']! },
    { id: 'm1', path: 'src/util/money.ts', language: 'typescript', symbol: 'formatCents', startLine: 1, endLine: 3, text: FILES['src/util/money.ts']! },
    { id: 'h1', path: 'src/routes/login.ts', language: 'typescript', symbol: 'login', startLine: 1, endLine: 6, text: '' },
  ];
  const source = new MemorySource();
  void source.add(chunks);
  const symbols = new SymbolTable(chunks);
  return memoryCompletionIndex(source, symbols);
}

describe('completions context assembly', () => {
  const doc = 'import { findUserByEmail } from "../db/users";\n\nexport async function login(db: Db, email: string) {\n  const user = await findUserByEmail(db, email);\n  \n}\n';
  const offset = doc.indexOf('  \n}') + 2;

  it('brings the definitions of names near the cursor and imported names, at their definition line', async () => {
    const ctx = await assembleContext(index(), { path: 'src/routes/login.ts', displayPath: 'src/routes/login.ts', languageId: 'typescript', text: doc, offset });
    const defs = ctx.sections.filter((s) => s.kind === 'definition');
    assert.ok(defs.some((s) => s.path === 'src/db/users.ts' && s.text.startsWith('export async function findUserByEmail')), JSON.stringify(ctx.sections));
    assert.ok(ctx.prefix.endsWith('findUserByEmail(db, email);\n  '));
    assert.equal(ctx.suffix, '\n}\n');
  });

  it('never offers the chunk the cursor is in, and stays inside the budget', async () => {
    const ctx = await assembleContext(index(), { path: 'src/routes/login.ts', displayPath: 'login.ts', languageId: 'typescript', text: doc, offset }, { ...DEFAULT_BUDGET, total: 300 });
    assert.ok(!ctx.sections.some((s) => s.path === 'src/routes/login.ts'));
    assert.ok(ctx.tokens <= 300, `${ctx.tokens} tokens`);
  });

  it('the prefix-only budget gives everything to the prefix', async () => {
    const ctx = await assembleContext(undefined, { path: undefined, displayPath: 'x.ts', languageId: 'typescript', text: doc, offset }, { total: 2048, prefixShare: 1, suffixShare: 0, sections: { definitions: false, imports: false, similar: false, recent: false } });
    assert.equal(ctx.sections.length, 0);
    assert.equal(ctx.suffix, '');
    assert.equal(ctx.prefix, doc.slice(0, offset));
  });

  it('recent edits of other files are included, the current file is not', async () => {
    const ctx = await assembleContext(undefined, { path: 'a.ts', displayPath: 'a.ts', languageId: 'typescript', text: 'x', offset: 1, recentEdits: [{ path: 'a.ts', text: 'self' }, { path: 'b.ts', text: 'export const LIMIT = 10;' }] });
    assert.deepEqual(ctx.sections.map((s) => [s.kind, s.path]), [['recent', 'b.ts']]);
  });

  it('the similar-code search leaves out terms most chunks contain, and searches for the rest', async () => {
    const queries: Array<ReadonlyMap<string, number> | string> = [];
    const base = index();
    const spy: CompletionIndex = {
      ...base,
      keywordSearch: (query, k, filter) => (queries.push(query), base.keywordSearch(query, k, filter)),
      termShare: (term) => (term === 'email' ? 0.9 : 0.01),
    };
    await assembleContext(spy, { path: 'src/routes/login.ts', displayPath: 'login.ts', languageId: 'typescript', text: doc, offset });
    assert.equal(queries.length, 1);
    const terms = queries[0] as ReadonlyMap<string, number>;
    assert.ok(!terms.has('email'), [...terms.keys()].join(' '));
    assert.ok(terms.has('user'), [...terms.keys()].join(' '));
    queries.length = 0;
    await assembleContext(spy, { path: 'src/routes/login.ts', displayPath: 'login.ts', languageId: 'typescript', text: doc, offset }, { ...DEFAULT_BUDGET, similarMaxTermShare: 1 });
    assert.ok((queries[0] as ReadonlyMap<string, number>).has('email'), 'share 1 keeps every term');
  });

  it('reads imported names from ES, CommonJS and Python imports, most used first', () => {
    const lines = ['import alpha, { beta as bee, type Gamma } from "x";', 'const delta = require("d");', 'from pkg.mod import eps, phi as gee'];
    const names = importedNames(lines, `${lines.join('\n')}\nbee(); bee(); Gamma; delta;`);
    assert.deepEqual(new Set(names), new Set(['alpha', 'bee', 'Gamma', 'delta', 'eps', 'gee']));
    assert.equal(names[0], 'bee');
  });
});
