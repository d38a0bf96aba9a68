/**
 * Keeps the workspace index fresh from VS Code: indexes on activation (unless disabled or the
 * workspace is untrusted), shows progress in the status bar, forwards file-system events to the engine
 * (which debounces and coalesces them — a branch switch arrives as one batch), and implements
 * `Keel: Index Workspace` and `Keel: Show Index Status`. While the machine saves power (battery saver,
 * low battery: powerState.ts) the BACKGROUND work waits — the first build and watcher updates — and
 * catches up when it ends; `Keel: Index Workspace` always runs.
 */
import * as vscode from 'vscode';
import type { IndexProgress, IndexSummary } from '../protocol';
import { toKeelError, type KeelError } from '../common/errors';
import type { KeelContext } from './context';
import { DeferredWork } from './deferredWork';
import { readPowerState } from './powerState';
import { progressText, renderIndexStatus, summaryText } from './reportText';
import type { ReportDocuments } from './reports';

/**
 * Client-side batching window for watcher events: one message per burst instead of one per file. Short:
 * a burst's events arrive within milliseconds, and the engine coalesces whatever arrives while it works.
 */
const EVENT_BATCH_MS = 20;
/** How often the power state is read: a file read or two, and pausing a minute late costs little. */
const POWER_POLL_MS = 60_000;

export class IndexingSurface {
  private readonly status = vscode.window.createStatusBarItem('keel.index', vscode.StatusBarAlignment.Left, 90);
  private running: Promise<{ summary?: IndexSummary; error?: KeelError }> | undefined;
  private cancelBuild: vscode.CancellationTokenSource | undefined;
  /** Open "Index Workspace" notifications, fed from the engine's progress notifications. */
  private readonly progressListeners = new Set<(progress: IndexProgress) => void>();
  private changed = new Set<string>();
  private deleted = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Background indexing work, held while the machine saves power. */
  readonly background = new DeferredWork();

  constructor(
    private readonly ctx: KeelContext,
    private readonly reports: ReportDocuments,
  ) {
    this.status.name = 'Keel Index';
    this.status.command = 'keel.showIndexStatus';
    ctx.disposables.push(this.status);
    ctx.engine.onNotification('index/progress')((progress) => this.showProgress(progress), undefined, ctx.disposables);
    reports.define('index-status', async () => renderIndexStatus(await ctx.engine.request('index/status', { roots: this.roots() })));
  }

  roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /**
   * Build or update the index. `interactive` (Keel: Index Workspace) always says what happens: a
   * cancellable notification with the engine's progress — joining a build already running in the
   * background — and a result notification at the end. Otherwise the status bar only.
   */
  index(interactive: boolean): Promise<IndexSummary | undefined> {
    const roots = this.roots();
    if (!roots.length || !vscode.workspace.isTrusted) {
      if (interactive) void vscode.window.showWarningMessage(roots.length ? 'Keel: trust this workspace to let Keel index it.' : 'Keel: open a folder to index.');
      return Promise.resolve(undefined);
    }
    const build = (this.running ??= this.build(roots).finally(() => (this.running = undefined)));
    if (!interactive) return build.then((outcome) => outcome.summary);
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Keel: indexing the workspace', cancellable: true },
        async (progress, token) => {
          const report = (p: IndexProgress): void => progress.report({ message: progressText(p) });
          this.progressListeners.add(report);
          token.onCancellationRequested(() => this.cancelBuild?.cancel());
          try {
            return await build;
          } finally {
            this.progressListeners.delete(report);
          }
        },
      ),
    ).then((outcome) => {
      if (outcome.summary) {
        void vscode.window.showInformationMessage(`Keel: ${summaryText(outcome.summary)}`, 'Show Index Status').then((choice) => {
          if (choice) void this.showStatus();
        });
      } else if (outcome.error && outcome.error.code !== 'CANCELLED') {
        void vscode.window.showErrorMessage(`Keel could not index the workspace: ${outcome.error.message} [${outcome.error.code}]`);
      }
      return outcome.summary;
    });
  }

  private build(roots: string[]): Promise<{ summary?: IndexSummary; error?: KeelError }> {
    const config = vscode.workspace.getConfiguration('keel');
    const cancel = (this.cancelBuild = new vscode.CancellationTokenSource());
    return this.ctx.engine
      .request(
        'index/build',
        {
          roots,
          maxFileSizeKB: config.get('index.maxFileSizeKB', 1024),
          exclude: config.get<string[]>('index.exclude', []),
          followSymlinksOutside: config.get<boolean>('index.followSymlinksOutside', false),
          includeGenerated: config.get<boolean>('index.includeGenerated', false),
        },
        { token: cancel.token },
      )
      .then((summary) => {
        // The engine logs the run (with what changed); the host adds nothing, so each run is one line.
        this.status.text = `$(database) ${summary.chunks.toLocaleString()} chunks`;
        this.status.tooltip = `Keel index: ${summary.files} files, ${summary.chunks} chunks, ${summary.skipped} skipped. Click for details.`;
        this.status.show();
        void this.reports.refreshIfOpen('index-status');
        return { summary };
      })
      .catch((error: unknown) => {
        const e = toKeelError(error);
        if (e.code !== 'CANCELLED') this.ctx.log.error(`indexing failed: ${e.message} [${e.code}]`);
        this.status.hide();
        return { error: e };
      })
      .finally(() => {
        cancel.dispose();
        if (this.cancelBuild === cancel) this.cancelBuild = undefined;
      });
  }

  showStatus(): Promise<vscode.TextDocument | undefined> {
    return this.reports.show('index-status', 'no index status');
  }

  watch(): void {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const queue = (uri: vscode.Uri, deleted: boolean): void => {
      if (uri.scheme !== 'file') return;
      (deleted ? this.deleted : this.changed).add(uri.fsPath);
      (deleted ? this.changed : this.deleted).delete(uri.fsPath);
      this.flushTimer ??= setTimeout(() => this.flush(), EVENT_BATCH_MS);
    };
    watcher.onDidCreate((uri) => queue(uri, false), undefined, this.ctx.disposables);
    watcher.onDidChange((uri) => queue(uri, false), undefined, this.ctx.disposables);
    watcher.onDidDelete((uri) => queue(uri, true), undefined, this.ctx.disposables);
    this.ctx.disposables.push(watcher, { dispose: () => clearTimeout(this.flushTimer) });
  }

  /**
   * Reads the power state now and every POWER_POLL_MS; stops on platforms that cannot tell. Resolves
   * after the first reading, so that a build started at activation already knows whether to wait.
   */
  watchPower(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const check = async (): Promise<void> => {
      const enabled = vscode.workspace.getConfiguration('keel').get('index.pauseOnBatterySaver', true);
      const state = enabled ? await readPowerState() : { saving: false };
      if (!state) return; // unknown platform: never pause, stop asking
      if (state.saving !== this.background.isPaused) {
        this.ctx.log.info(state.saving ? `background indexing paused: ${state.reason ?? 'power saving'}` : 'background indexing resumed');
        if (state.saving) this.showPaused(state.reason);
        else this.status.hide();
        this.background.setPaused(state.saving);
      }
      timer = setTimeout(() => void check(), POWER_POLL_MS);
    };
    this.ctx.disposables.push({ dispose: () => clearTimeout(timer) });
    return check();
  }

  private showPaused(reason: string | undefined): void {
    this.status.text = '$(debug-pause) Keel index paused';
    this.status.tooltip = `Keel waits with background indexing while the machine saves power (${reason ?? 'battery saver'}); it catches up afterwards. Keel: Index Workspace runs it now; keel.index.pauseOnBatterySaver turns pausing off.`;
    this.status.show();
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.background.isPaused) {
      // Events keep collecting in changed/deleted; they go to the engine as one batch on resume.
      this.background.run('update', () => this.flush());
      return;
    }
    const changed = [...this.changed];
    const deleted = [...this.deleted];
    this.changed.clear();
    this.deleted.clear();
    if (!changed.length && !deleted.length) return;
    this.ctx.engine.request('index/update', { changed, deleted }).catch((error: unknown) => {
      const e = toKeelError(error);
      // No open index yet (indexing disabled or still starting): the next build picks the files up.
      if (e.code !== 'INDEX_NOT_FOUND') this.ctx.log.warn(`index update failed: ${e.message} [${e.code}]`);
    });
  }

  private showProgress(progress: IndexProgress): void {
    for (const listener of this.progressListeners) listener(progress);
    if (progress.phase === 'done') return;
    this.status.text = `$(sync~spin) Keel: ${progress.phase} ${progress.done.toLocaleString()}/${progress.total.toLocaleString()}`;
    this.status.tooltip = progress.message ?? 'Keel is indexing the workspace';
    this.status.show();
  }
}

export function registerIndexing(ctx: KeelContext, reports: ReportDocuments): IndexingSurface {
  const surface = new IndexingSurface(ctx, reports);
  surface.watch();
  const powerKnown = surface.watchPower();
  const start = (): void => {
    if (!vscode.workspace.getConfiguration('keel').get('index.onActivation', true)) return;
    void powerKnown.then(() => surface.background.run('build', () => void surface.index(false)));
  };
  // Off the activation path: the engine worker does the work; this only sends the request.
  setImmediate(start);
  vscode.workspace.onDidGrantWorkspaceTrust(start, undefined, ctx.disposables);
  vscode.workspace.onDidChangeWorkspaceFolders(start, undefined, ctx.disposables);
  return surface;
}
