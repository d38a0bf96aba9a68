/**
 * Keeps the workspace index fresh from VS Code: indexes on activation (unless disabled or the
 * workspace is untrusted), shows progress in the status bar, forwards file-system events to the engine
 * (which debounces and coalesces them — a branch switch arrives as one batch), and implements
 * `Keel: Index Workspace` and `Keel: Show Index Status`. While the machine saves power (battery saver,
 * low battery: powerState.ts) the BACKGROUND work waits — the first build and watcher updates — and
 * catches up when it ends; `Keel: Index Workspace` always runs.
 */
import * as vscode from 'vscode';
import type { IndexProgress, IndexStatus, IndexSummary } from '../protocol';
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';
import { DeferredWork } from './deferredWork';
import { readPowerState } from './powerState';

/** Client-side batching window for watcher events: one message per burst instead of one per file. */
const EVENT_BATCH_MS = 150;
/** How often the power state is read: a file read or two, and pausing a minute late costs little. */
const POWER_POLL_MS = 60_000;

export class IndexingSurface {
  private readonly status = vscode.window.createStatusBarItem('keel.index', vscode.StatusBarAlignment.Left, 90);
  private running: Promise<IndexSummary | undefined> | undefined;
  private changed = new Set<string>();
  private deleted = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** Background indexing work, held while the machine saves power. */
  readonly background = new DeferredWork();

  constructor(private readonly ctx: KeelContext) {
    this.status.name = 'Keel Index';
    this.status.command = 'keel.showIndexStatus';
    ctx.disposables.push(this.status);
    ctx.engine.onNotification('index/progress')((progress) => this.showProgress(progress), undefined, ctx.disposables);
  }

  roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** Build or update the index. `interactive` shows a cancellable notification; otherwise the status bar only. */
  index(interactive: boolean): Promise<IndexSummary | undefined> {
    if (this.running) return this.running;
    const roots = this.roots();
    if (!roots.length || !vscode.workspace.isTrusted) return Promise.resolve(undefined);
    const config = vscode.workspace.getConfiguration('keel');
    const run = (token?: vscode.CancellationToken): Promise<IndexSummary | undefined> =>
      this.ctx.engine
        .request('index/build', {
          roots,
          maxFileSizeKB: config.get('index.maxFileSizeKB', 1024),
          exclude: config.get<string[]>('index.exclude', []),
          followSymlinksOutside: config.get<boolean>('index.followSymlinksOutside', false),
        }, { token })
        .then((summary) => {
          this.ctx.log.info(`indexed ${summary.files} files → ${summary.chunks} chunks in ${summary.ms} ms (${summary.skipped} skipped)`);
          this.status.text = `$(database) ${summary.chunks.toLocaleString()} chunks`;
          this.status.tooltip = `Keel index: ${summary.files} files, ${summary.chunks} chunks, ${summary.skipped} skipped. Click for details.`;
          this.status.show();
          return summary;
        })
        .catch((error: unknown) => {
          const e = toKeelError(error);
          if (e.code !== 'CANCELLED') {
            this.ctx.log.error(`indexing failed: ${e.message} [${e.code}]`);
            if (interactive) void vscode.window.showErrorMessage(`Keel could not index the workspace: ${e.message} [${e.code}]`);
          }
          this.status.hide();
          return undefined;
        });
    const pending = Promise.resolve(
      interactive
        ? vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Keel: indexing', cancellable: true }, (_p, token) => run(token))
        : run(),
    ).finally(() => (this.running = undefined));
    this.running = pending;
    return pending;
  }

  async showStatus(): Promise<IndexStatus | undefined> {
    try {
      const status = await this.ctx.engine.request('index/status', { roots: this.roots() });
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderStatus(status) });
      await vscode.window.showTextDocument(doc, { preview: true });
      return status;
    } catch (error) {
      const e = toKeelError(error);
      void vscode.window.showErrorMessage(`Keel: no index status: ${e.message} [${e.code}]`);
      return undefined;
    }
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
    if (progress.phase === 'done') return;
    this.status.text = `$(sync~spin) Keel: ${progress.phase} ${progress.done.toLocaleString()}/${progress.total.toLocaleString()}`;
    this.status.tooltip = progress.message ?? 'Keel is indexing the workspace';
    this.status.show();
  }
}

function renderStatus(status: IndexStatus): string {
  const lines = [
    '# Keel index',
    '',
    '| | |',
    '|---|---|',
    `| roots | ${status.roots.join('<br>') || '—'} |`,
    `| files | ${status.files.toLocaleString()} |`,
    `| chunks | ${status.chunks.toLocaleString()} |`,
    `| size on disk | ${(status.bytes / 1024 / 1024).toFixed(2)} MB |`,
    `| embedder | ${status.embedder ?? '—'} |`,
    `| last update | ${status.lastUpdated ?? 'never'} |`,
    `| store | \`${status.store}\` |`,
    '',
    `## Skipped files (${status.skipped.length})`,
    '',
  ];
  if (!status.skipped.length) lines.push('None.');
  else {
    lines.push('| file | reason |', '|---|---|');
    for (const s of status.skipped.slice(0, 500)) lines.push(`| \`${s.path}\` | ${s.reason} |`);
    if (status.skipped.length > 500) lines.push(`| … | ${status.skipped.length - 500} more |`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerIndexing(ctx: KeelContext): IndexingSurface {
  const surface = new IndexingSurface(ctx);
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
