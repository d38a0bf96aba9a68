/**
 * `@file`, `@symbol`, `#selection` and `#problems` in the chat box: completion items for the webview,
 * and resolution of the mentions in a question into attachments for the engine.
 */
import * as vscode from 'vscode';
import type { ChatAttachment } from '../protocol';
import type { MentionItem } from '../protocol';
import { resolveWorkspacePath } from './chatActions';

const MAX_FILE_CHARS = 40_000;

export async function completeMentions(prefix: '@' | '#', query: string): Promise<MentionItem[]> {
  if (prefix === '#') {
    return [
      { kind: 'selection' as const, label: '#selection', detail: 'the editor selection', insertText: '#selection' },
      { kind: 'problems' as const, label: '#problems', detail: 'problems in the active file', insertText: '#problems' },
    ].filter((item) => item.label.slice(1).startsWith(query));
  }
  const glob = query ? `**/*${query.replace(/[{}[\]*?]/g, '')}*` : '**/*';
  const files = await vscode.workspace.findFiles(glob, '**/{node_modules,.git,dist,build,out}/**', 12);
  const items: MentionItem[] = files.map((uri) => {
    const rel = vscode.workspace.asRelativePath(uri, false);
    return { kind: 'file', label: rel, insertText: `@${rel}` };
  });
  if (query.length >= 2) {
    const symbols = (await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', query)) ?? [];
    for (const symbol of symbols.slice(0, 8)) {
      const rel = vscode.workspace.asRelativePath(symbol.location.uri, false);
      items.push({ kind: 'symbol', label: symbol.name, detail: `${rel}:${symbol.location.range.start.line + 1}`, insertText: `@${rel}:${symbol.location.range.start.line + 1}` });
    }
  }
  return items;
}

/** Attachments for the mentions found in `question`. Unknown mentions are left as plain text. */
export async function resolveMentions(question: string): Promise<ChatAttachment[]> {
  const attachments: ChatAttachment[] = [];
  const editor = vscode.window.activeTextEditor;
  if (/(^|\s)#selection\b/.test(question) && editor && !editor.selection.isEmpty) {
    attachments.push({
      kind: 'selection',
      path: vscode.workspace.asRelativePath(editor.document.uri, false),
      startLine: editor.selection.start.line + 1,
      text: editor.document.getText(editor.selection),
    });
  }
  if (/(^|\s)#problems\b/.test(question) && editor) {
    const problems = vscode.languages
      .getDiagnostics(editor.document.uri)
      .map((d) => `${vscode.workspace.asRelativePath(editor.document.uri, false)}:${d.range.start.line + 1} [${vscode.DiagnosticSeverity[d.severity]}] ${d.message}`);
    if (problems.length) attachments.push({ kind: 'problems', text: problems.join('\n') });
  }
  for (const match of question.matchAll(/(?:^|\s)@([\w./-]+?)(?::(\d+))?(?=\s|$|[,;?!])/g)) {
    const uri = resolveWorkspacePath(match[1]);
    if (!uri) continue;
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      const text = Buffer.from(bytes).toString('utf8').slice(0, MAX_FILE_CHARS);
      attachments.push({ kind: match[2] ? 'symbol' : 'file', path: match[1], startLine: match[2] ? Number(match[2]) : 1, text });
    } catch {
      // A mention of something that is not a readable file stays plain text.
    }
  }
  return attachments;
}
