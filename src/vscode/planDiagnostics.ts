/**
 * Query-plan findings as diagnostics: a statement whose plan scans a large table (or loops or sorts
 * badly) gets a warning on its lines, with the proven index when there is one; a statement with only a
 * proven index (it at least halves the cost) gets an information diagnostic — after Keel: Explain
 * Query Plan on it, or for every statement of a file with Keel: Check Query Plans in This File. A
 * plan belongs to the text it was made from: editing the document clears its plan diagnostics.
 */
import * as vscode from 'vscode';
import type { DbExplainResult } from '../protocol';

/** Findings worth a squiggle; the hot node and estimate errors stay in the plan view. */
const REPORTED = new Set(['KEEL-PLAN-SEQ-SCAN', 'KEEL-PLAN-NESTED-LOOP', 'KEEL-PLAN-SORT-DISK']);

export class PlanDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('keel-plan');
  private readonly byDoc = new Map<string, Map<number, vscode.Diagnostic[]>>();
  private readonly listener = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.contentChanges.length && this.byDoc.delete(e.document.uri.toString())) this.collection.delete(e.document.uri);
  });

  /** Record the plan of the statement at `result.location` (replacing an earlier plan of it); how many diagnostics it left. */
  publish(uri: vscode.Uri, result: DbExplainResult): number {
    if (!result.location) return 0;
    const { startLine, endLine } = result.location;
    const range = new vscode.Range(startLine - 1, 0, Math.max(startLine, endLine) - 1, Number.MAX_SAFE_INTEGER);
    const index = result.indexes[0];
    const proven = index ? ` Proven fix (${index.proof}, cost ${index.costBefore} → ${index.costAfter}): ${index.createSql}` : '';
    const where = result.database === 'embedded' ? `at ${(result.rows ?? 0).toLocaleString('en-US')} rows in the embedded rehearsal` : `on ${result.database}`;
    const context = `(planned ${where}${result.derived ? `, SQL derived by ${result.derived}` : ''})`;
    const diagnostic = (code: string, message: string, severity: vscode.DiagnosticSeverity): vscode.Diagnostic => {
      const d = new vscode.Diagnostic(range, message, severity);
      d.source = 'Keel';
      d.code = code;
      return d;
    };
    const diagnostics = result.findings.filter((f) => REPORTED.has(f.code)).map((f) => diagnostic(f.code, `${f.message} ${context}.${proven}`, vscode.DiagnosticSeverity.Warning));
    // No large scan, but the server showed an index at least halves the cost: say so, more quietly.
    if (!diagnostics.length && index) {
      diagnostics.push(diagnostic('KEEL-PLAN-INDEX', `A missing index: the plan costs ${index.costBefore} without it, ${index.costAfter} with it ${context}.${proven}`, vscode.DiagnosticSeverity.Information));
    }
    const key = uri.toString();
    const perStatement = this.byDoc.get(key) ?? new Map<number, vscode.Diagnostic[]>();
    perStatement.set(startLine, diagnostics);
    this.byDoc.set(key, perStatement);
    this.collection.set(uri, [...perStatement.values()].flat());
    return diagnostics.length;
  }

  dispose(): void {
    this.listener.dispose();
    this.collection.dispose();
  }
}
