/**
 * Keeps an inline analysis in step with the open documents, the same way for every analyser (SQL,
 * api): analyse on open, again after typing pauses, forget on close, re-run everything when the
 * analyser's settings change.
 */
import * as vscode from 'vscode';

export interface DocumentAnalysis {
  analyze(doc: vscode.TextDocument): void | Promise<void>;
  /** Drop what is kept for a closed document (diagnostics, findings). */
  forget(doc: vscode.TextDocument): void;
  /** The settings section whose change re-runs the analysis, e.g. 'keel.sql'. */
  section: string;
  debounceMs: number;
}

export function followOpenDocuments(analysis: DocumentAnalysis): vscode.Disposable[] {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const run = (doc: vscode.TextDocument): void => void analysis.analyze(doc);
  const schedule = (doc: vscode.TextDocument): void => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      run(doc);
    }, analysis.debounceMs));
  };
  const disposables = [
    vscode.workspace.onDidOpenTextDocument(run),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      clearTimeout(timers.get(doc.uri.toString()));
      analysis.forget(doc);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(analysis.section)) vscode.workspace.textDocuments.forEach(run);
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  ];
  vscode.workspace.textDocuments.forEach(run);
  return disposables;
}
