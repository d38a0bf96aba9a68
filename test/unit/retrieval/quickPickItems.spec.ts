import * as assert from 'node:assert/strict';
import { hitItem, resolveHitPath, snippet } from '../../../src/vscode/searchQuickPickItems';

describe('search quick pick items', () => {
  it('shows symbol, path:line range and a one-line snippet', () => {
    const item = hitItem({ path: 'src/users.ts', startLine: 12, endLine: 30, symbol: 'UserService.findByEmail', score: 0.9, language: 'typescript', preview: '{\n  // looks up\n  async findByEmail(email) {\n    return db.user.find(email)\n' });
    assert.equal(item.label, '$(symbol-method) UserService.findByEmail');
    assert.equal(item.description, 'src/users.ts:12-30');
    assert.equal(item.detail, 'async findByEmail(email) {  return db.user.find(email)');
    const doc = hitItem({ path: 'docs/setup.md', startLine: 3, endLine: 3, symbol: '', score: 0.1, language: 'markdown' });
    assert.equal(doc.label, '$(book) setup.md');
    assert.equal(doc.description, 'docs/setup.md:3');
    assert.equal(snippet('x'.repeat(500)).length, 160);
  });

  it('resolves paths in single- and multi-root workspaces', () => {
    const api = { name: 'api', fsPath: '/w/api' };
    const web = { name: 'web', fsPath: '/w/web' };
    assert.deepEqual(resolveHitPath('src/a.ts', [api]), { folder: api, relative: 'src/a.ts' });
    assert.deepEqual(resolveHitPath('web/src/a.ts', [api, web]), { folder: web, relative: 'src/a.ts' });
    assert.equal(resolveHitPath('x', []), undefined);
  });
});
