/**
 * The trust gate in a real host: applying AI code into an authentication file shows what it touches
 * and asks for an explicit acknowledgement (photographed: test-results/page-trust-gate-ack.png);
 * "Generate Tests for This Change" proposes a test file as a diff, written only on Apply; after the
 * acknowledgement the change is applied and both the write and the acknowledgement are in the
 * provenance ledger, mapped onto the file.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { clickNotification, keelApi, panelScreenshot, waitFor } from './helpers';

const ORIGINAL = `import bcrypt from 'bcryptjs';

export async function verifyLogin(user: { passwordHash: string }, password: string): Promise<boolean> {
  return false;
}
`;
const AI_CODE = 'return bcrypt.compare(password, user.passwordHash);';

describe('trust gate: acknowledging AI code in a high-radius area', () => {
  let repo: string;
  before(() => {
    repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-gate-')));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.name', 'Host Test');
    git('config', 'user.email', 'host@example.com');
    fs.mkdirSync(path.join(repo, 'src', 'auth'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'src', 'auth', 'login.ts'), ORIGINAL);
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
  });
  after(async () => {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    await vscode.window.tabGroups.close(tabs);
    fs.rmSync(repo, { recursive: true, force: true });
  });

  it('asks for an acknowledgement, proposes tests as a diff, and records both in the ledger', async function () {
    this.timeout(180_000);
    const api = await keelApi();
    const file = vscode.Uri.file(path.join(repo, 'src', 'auth', 'login.ts'));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    const at = ORIGINAL.indexOf('return false;');
    editor.selection = new vscode.Selection(editor.document.positionAt(at), editor.document.positionAt(at + 'return false;'.length));
    const logged = api.logLines.length;
    const applying = api.chatView.dispatch({ type: 'applyCode', code: AI_CODE, language: 'typescript' });
    await clickNotification('Apply');
    await waitFor(() => api.logLines.slice(logged).some((l) => l.includes('trust gate: asking for acknowledgement of auth, crypto-secrets')), 'the acknowledgement question');
    if (await panelScreenshot('trust-gate-ack', true)) console.log('      screenshot: test-results/page-trust-gate-ack.png');

    // Tests first: a diff of the proposed test file; nothing is written until Apply.
    const testFile = path.join(repo, 'src', 'auth', 'login.test.ts');
    await clickNotification('Generate Tests for This Change');
    await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff && t.label.includes('proposed tests')), 'the proposed tests diff');
    assert.equal(fs.existsSync(testFile), false, 'no test file is written before Apply');
    await clickNotification('Apply');
    await waitFor(() => fs.existsSync(testFile), 'the test file written after Apply');
    const tests = fs.readFileSync(testFile, 'utf8');
    assert.match(tests, /it\.todo\("login\.ts:4 is refused for an unauthenticated or unauthorised caller"\);/);
    assert.match(tests, /never exposes the secret and rejects a tampered value/);

    // The question comes back; acknowledging applies the change.
    await clickNotification('Acknowledge & Apply');
    await applying;
    assert.equal(editor.document.getText(), ORIGINAL.replace('return false;', AI_CODE));

    const report = await api.engine.request('provenance/report', { root: repo });
    assert.equal(report.integrity.ok, true);
    assert.deepEqual(report.entries.map((e) => [e.kind, e.path, e.startLine, e.endLine, e.feature, e.areas ?? []]), [
      ['ai-write', 'src/auth/login.ts', 4, 4, 'chat-apply', []],
      ['acknowledgement', 'src/auth/login.ts', 4, 4, 'chat-apply', ['auth', 'crypto-secrets']],
    ]);
    assert.equal(report.entries[0].gitUser, 'Host Test <host@example.com>');
    // Committed, the line at HEAD is attributed to the write.
    await editor.document.save();
    execFileSync('git', ['commit', '-q', '-am', 'ai change'], { cwd: repo });
    const after = await api.engine.request('provenance/report', { root: repo });
    assert.deepEqual(after.lines, [{ path: 'src/auth/login.ts', line: 4, entry: report.entries[0].id }]);

    // The per-file view: the entry and its line, marked in the editor.
    const shown = await vscode.commands.executeCommand<{ path: string; lines: number[]; entries: Array<{ id: string; lines: number[]; feature: string }> }>('keel.provenance.showFile', file);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(shown?.path, 'src/auth/login.ts');
    assert.deepEqual(shown?.lines, [4]);
    assert.deepEqual(shown?.entries.map((e) => [e.id, e.lines, e.feature]), [[report.entries[0].id, [4], 'chat-apply']]);
  });
});
