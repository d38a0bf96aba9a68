/**
 * Provenance per file: **Keel: Show AI Provenance of This File** lists the ledger entries whose lines
 * are still in the file at HEAD (time, model, lines) and marks those lines; with
 * `keel.provenance.gutterMarkers` on, every file opened is marked the same way.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProvenanceReport } from '../protocol';
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';

export const SHOW_FILE_PROVENANCE = 'keel.provenance.showFile';

export interface FileProvenance {
  path: string;
  lines: number[];
  entries: Array<{ id: string; time: string; provider: string; model: string; feature: string; lines: number[] }>;
}

export function registerProvenanceView(ctx: KeelContext): void {
  const marker = vscode.window.createTextEditorDecorationType({
    overviewRulerColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    borderWidth: '0 0 0 2px',
    borderStyle: 'solid',
    borderColor: new vscode.ThemeColor('editorInfo.foreground'),
    isWholeLine: true,
  });
  ctx.disposables.push(marker);

  const load = async (document: vscode.TextDocument): Promise<FileProvenance | undefined> => {
    if (document.uri.scheme !== 'file') return undefined;
    const root = path.dirname(document.uri.fsPath);
    let report: ProvenanceReport;
    try {
      report = await ctx.engine.request('provenance/report', { root });
    } catch (error) {
      ctx.log.info(`provenance: ${toKeelError(error).message}`);
      return undefined;
    }
    const top = report.head ? await topOf(document.uri.fsPath, report) : undefined;
    const rel = top ?? '';
    const lines = report.lines.filter((l) => l.path === rel);
    const entries = report.entries
      .filter((e) => lines.some((l) => l.entry === e.id))
      .map((e) => ({ id: e.id, time: e.time, provider: e.provider, model: e.model, feature: e.feature, lines: lines.filter((l) => l.entry === e.id).map((l) => l.line) }));
    return { path: rel, lines: lines.map((l) => l.line), entries };
  };

  const mark = (editor: vscode.TextEditor, found: FileProvenance): void => {
    editor.setDecorations(marker, found.entries.flatMap((e) =>
      e.lines.filter((l) => l <= editor.document.lineCount).map((l) => ({
        range: new vscode.Range(l - 1, 0, l - 1, 0),
        hoverMessage: `AI-written (${e.feature}): ${e.provider}/${e.model}, ${e.time}`,
      })),
    ));
  };

  ctx.disposables.push(
    vscode.commands.registerCommand(SHOW_FILE_PROVENANCE, async (uri?: vscode.Uri): Promise<FileProvenance | undefined> => {
      const editor = uri ? await vscode.window.showTextDocument(uri) : vscode.window.activeTextEditor;
      if (!editor) return undefined;
      const found = await load(editor.document);
      if (!found) {
        void vscode.window.showInformationMessage('Keel: this file is not in a git work tree, so it has no provenance ledger.');
        return undefined;
      }
      mark(editor, found);
      if (found.entries.length === 0) void vscode.window.showInformationMessage(`Keel: no AI-written lines of ${found.path} remain at HEAD.`);
      else {
        void vscode.window.showQuickPick(
          found.entries.map((e) => ({ label: `lines ${e.lines.join(', ')}`, description: `${e.provider}/${e.model} · ${e.feature}`, detail: e.time, line: e.lines[0] })),
          { title: `AI-written code in ${found.path} (at HEAD)` },
        ).then((pick) => {
          if (pick) editor.revealRange(new vscode.Range(pick.line - 1, 0, pick.line - 1, 0), vscode.TextEditorRevealType.InCenter);
        });
      }
      return found;
    }),
    vscode.window.onDidChangeActiveTextEditor(async (editor) => {
      if (!editor || !vscode.workspace.getConfiguration('keel').get<boolean>('provenance.gutterMarkers', false)) return;
      const found = await load(editor.document);
      if (found) mark(editor, found);
    }),
  );
}

/** The file's path relative to its work tree, as the ledger and git name it. */
async function topOf(file: string, report: ProvenanceReport): Promise<string | undefined> {
  // The report's lines are relative to the work tree; find the suffix of `file` that names one of them.
  const norm = file.split(path.sep).join('/');
  const candidates = new Set([...report.lines.map((l) => l.path), ...report.entries.map((e) => e.path)]);
  for (const c of candidates) if (norm.endsWith(`/${c}`)) return c;
  return path.basename(file);
}
