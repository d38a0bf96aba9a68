/**
 * Keeps an inline analysis in step with the open documents, the same way for every analyser (SQL,
 * api): analyse on open, again after typing pauses, forget on close, re-run everything when the
 * analyser's settings change.
 */
import * as vscode from 'vscode';
import type { Finding, SqlRuleSettings } from '../protocol';
import type { KeelContext } from './context';

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

/** An analyser's `enabled` and `rules` settings (rules a plain copy: config proxies cannot cross postMessage). */
export function analyserSettings(section: string): { enabled: boolean; rules: SqlRuleSettings } {
  const c = vscode.workspace.getConfiguration(section);
  return { enabled: c.get<boolean>('enabled', true), rules: { ...c.get<SqlRuleSettings>('rules', {}) } };
}

export interface FindingsAnalysis {
  /** The settings section read by analyserSettings, e.g. 'keel.sql'. */
  section: string;
  /** Names the analysis in the log: 'SQL', 'API'. */
  label: string;
  request(doc: vscode.TextDocument, rules: SqlRuleSettings): Promise<Finding[]>;
  publish(uri: vscode.Uri, findings: Finding[]): void;
  /** Drop a document's diagnostics and findings (the analysis is disabled). */
  clear(uri: vscode.Uri): void;
}

/**
 * The analyze of a findings analyser: clears the document while the section is disabled, else asks
 * for findings and publishes them unless a newer edit of the document has started meanwhile.
 */
export function analyzeFindings(ctx: KeelContext, analysis: FindingsAnalysis): (doc: vscode.TextDocument) => Promise<void> {
  const versions = new Map<string, number>();
  return async (doc) => {
    const key = doc.uri.toString();
    const { enabled, rules } = analyserSettings(analysis.section);
    if (!enabled) {
      analysis.clear(doc.uri);
      return;
    }
    const version = doc.version;
    versions.set(key, version);
    try {
      const findings = await analysis.request(doc, rules);
      if (versions.get(key) !== version || doc.isClosed) return; // a newer edit is on its way
      analysis.publish(doc.uri, findings);
    } catch (error) {
      ctx.log.warn(`Keel ${analysis.label} analysis of ${doc.uri.fsPath} failed: ${(error as Error).message}`);
    }
  };
}
