/**
 * Keel's reports (Index Status, Egress Log) as read-only virtual documents on the `keel:` scheme: one
 * tab per report, reused and refreshed in place, never an Untitled buffer that asks "Save?" on close.
 * Each report is a named render function; `show` re-renders and reveals it, `refreshIfOpen` re-renders
 * only when someone is looking (after an index run, after an answer).
 */
import * as vscode from 'vscode';
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';

export const REPORT_SCHEME = 'keel';

export type ReportName = 'index-status' | 'egress-log';

const TITLES: Record<ReportName, string> = {
  'index-status': 'Keel Index Status.md',
  'egress-log': 'Keel Egress Log.md',
};

export class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly text = new Map<string, string>();
  private readonly renderers = new Map<ReportName, () => Promise<string>>();

  constructor(private readonly ctx: KeelContext) {
    ctx.disposables.push(this.changed, vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this));
  }

  static uri(name: ReportName): vscode.Uri {
    // The file name is what the tab shows; `.md` gives the document the Markdown language.
    return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${TITLES[name]}` });
  }

  define(name: ReportName, render: () => Promise<string>): void {
    this.renderers.set(name, render);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.text.get(uri.toString()) ?? '';
  }

  /** Render `name` now and show it, reusing its tab. Resolves with the document, or undefined on failure. */
  async show(name: ReportName, failure: string): Promise<vscode.TextDocument | undefined> {
    try {
      const uri = await this.render(name);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false });
      return doc;
    } catch (error) {
      const e = toKeelError(error);
      void vscode.window.showErrorMessage(`Keel: ${failure}: ${e.message} [${e.code}]`);
      return undefined;
    }
  }

  /** Re-render `name` if its document is open (visible or in a background tab); otherwise do nothing. */
  async refreshIfOpen(name: ReportName): Promise<void> {
    const uri = ReportDocuments.uri(name).toString();
    if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri && !d.isClosed)) return;
    await this.render(name).catch((error: unknown) => this.ctx.log.warn(`could not refresh ${TITLES[name]}: ${toKeelError(error).message}`));
  }

  private async render(name: ReportName): Promise<vscode.Uri> {
    const render = this.renderers.get(name);
    if (!render) throw new Error(`no report named ${name}`);
    const uri = ReportDocuments.uri(name);
    const text = await render();
    if (this.text.get(uri.toString()) !== text) {
      this.text.set(uri.toString(), text);
      this.changed.fire(uri);
    }
    return uri;
  }
}
