/**
 * The status-bar cost meter (`$(pulse) $0.42`, today's spend; warning / error background near / over
 * budget; tooltip with today, month, savings and top models) and the `keel.showCostReport` webview it
 * opens. Figures always come from the engine's ledger (`cost/summary`), never computed here.
 */
import * as vscode from 'vscode';
import type { CostSummary } from '../protocol';
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';
import { accessibleLabel, statusLevel, statusText, tooltipMarkdown } from './costFormat';
import type { FromCostReport, ToCostReport } from '../protocol';
import { localResourceRoots, renderPage } from './webviewHtml';

export const SHOW_COST_REPORT = 'keel.showCostReport';
export const CLEAR_ANSWER_CACHE = 'keel.clearAnswerCache';
/** Ledger changes made by other processes (the CLI) or missed refreshes are picked up this often. */
const POLL_MS = 60_000;

export interface CostStatusBar {
  /** Re-read the ledger now (call after a model answer). */
  refresh(): Promise<CostSummary | undefined>;
  readonly item: vscode.StatusBarItem;
  /** The open report panel, if any (host tests read its totals). */
  readonly report: CostReportPanel | undefined;
  showReport(): Promise<void>;
  /**
   * Command implementations for `registerCommands(ctx, implemented)` (commands.ts owns registration,
   * so these ids leave its "not yet available" list): keel.showCostReport, keel.clearAnswerCache.
   */
  readonly commands: Record<string, (...args: unknown[]) => unknown>;
}

export function registerCostStatusBar(ctx: KeelContext): CostStatusBar {
  const item = vscode.window.createStatusBarItem('keel.cost', vscode.StatusBarAlignment.Right, 90);
  item.name = 'Keel Cost';
  item.command = SHOW_COST_REPORT;
  item.text = '$(pulse) $…';
  item.tooltip = 'Keel model spend';
  ctx.disposables.push(item);
  let report: CostReportPanel | undefined;
  let last: CostSummary | undefined;

  const refresh = async (): Promise<CostSummary | undefined> => {
    try {
      const summary = await ctx.engine.request('cost/summary', {});
      last = summary;
      item.text = statusText(summary);
      const tooltip = new vscode.MarkdownString(tooltipMarkdown(summary));
      tooltip.supportThemeIcons = true;
      item.tooltip = tooltip;
      item.accessibilityInformation = { label: accessibleLabel(summary), role: 'button' };
      const level = statusLevel(summary);
      item.backgroundColor = level === 'normal' ? undefined : new vscode.ThemeColor(level === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
      item.show();
      report?.post({ type: 'summary', summary });
      return summary;
    } catch (error) {
      const e = toKeelError(error);
      ctx.log.warn(`cost meter: ${e.message} [${e.code}]`);
      item.tooltip = `Keel could not read the cost ledger: ${e.message}`;
      item.show();
      return undefined;
    }
  };

  const showReport = async (): Promise<void> => {
    if (report) report.reveal();
    else {
      report = new CostReportPanel(ctx, () => void refresh());
      report.onDispose(() => (report = undefined));
    }
    const summary = (await refresh()) ?? last;
    if (summary) report?.post({ type: 'summary', summary });
  };

  const clearAnswerCache = async (): Promise<number | undefined> => {
    try {
      const { removed } = await ctx.engine.request('cache/clear', {});
      void vscode.window.showInformationMessage(`Keel: cleared ${removed} cached answer${removed === 1 ? '' : 's'}.`);
      return removed;
    } catch (error) {
      const e = toKeelError(error);
      void vscode.window.showErrorMessage(`Keel could not clear the answer cache: ${e.message} [${e.code}]`);
      return undefined;
    }
  };

  // Budget settings change the colour and tooltip immediately.
  ctx.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('keel.budget') && setTimeout(() => void refresh(), 250)));
  const timer = setInterval(() => void refresh(), POLL_MS);
  ctx.disposables.push({ dispose: () => clearInterval(timer) });
  void refresh();

  return {
    refresh,
    item,
    showReport,
    commands: { [SHOW_COST_REPORT]: showReport, [CLEAR_ANSWER_CACHE]: clearAnswerCache },
    get report() {
      return report;
    },
  };
}

/** The cost report: a webview panel with charts drawn by media/cost/main.ts from the ledger summary. */
export class CostReportPanel {
  private readonly panel: vscode.WebviewPanel;
  private ready = false;
  private pending: ToCostReport | undefined;
  private readonly disposeListeners: Array<() => void> = [];
  /** The last summary sent (host tests compare its totals with the ledger). */
  lastSent: CostSummary | undefined;

  constructor(ctx: KeelContext, onRefresh: () => void) {
    const extensionUri = ctx.extension.extensionUri;
    this.panel = vscode.window.createWebviewPanel('keel.costReport', 'Keel: Cost Report', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: localResourceRoots(extensionUri),
      retainContextWhenHidden: false,
    });
    this.panel.webview.html = renderPage(this.panel.webview, extensionUri, {
      title: 'Keel Cost Report',
      script: 'dist/webview/cost.js',
      styles: ['dist/webview/cost.css'],
      body: '<main id="keel-cost-root" aria-live="polite"></main>',
    }).html;
    this.panel.webview.onDidReceiveMessage(
      (message: FromCostReport) => {
        if (message?.type === 'ready') {
          this.ready = true;
          if (this.pending) void this.panel.webview.postMessage(this.pending);
          this.pending = undefined;
          onRefresh();
        } else if (message?.type === 'refresh') onRefresh();
      },
      undefined,
      ctx.disposables,
    );
    this.panel.onDidDispose(() => this.disposeListeners.forEach((fn) => fn()), undefined, ctx.disposables);
  }

  post(message: ToCostReport): void {
    if (message.type === 'summary') this.lastSent = message.summary;
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.pending = message;
  }

  reveal(): void {
    this.panel.reveal();
  }

  onDispose(fn: () => void): void {
    this.disposeListeners.push(fn);
  }
}
