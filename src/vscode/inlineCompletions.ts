/**
 * Inline completions (ghost text) for the languages Keel indexes. All the work is the engine's
 * (`completions/inline`): this waits out a burst of keystrokes (adaptive debounce), sends the document
 * and cursor, turns VS Code's cancellation token into protocol cancellation (which aborts the HTTP
 * request in the engine), reports accepts for the ledger's acceptance rate, tracks recently edited
 * spots in other files, and shows a status-bar toggle bound to `keel.completions.enabled`.
 */
import * as vscode from 'vscode';
import type { CompletionInlineResult, CompletionStats, RecentEdit } from '../protocol';
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';

export const TOGGLE_COMPLETIONS = 'keel.toggleCompletions';
export const COMPLETION_ACCEPTED = 'keel.completions.accepted';

const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python', 'go', 'java', 'rust', 'ruby', 'php', 'csharp', 'c', 'cpp', 'kotlin', 'sql', 'prisma'];
/** Documents larger than this send a window around the cursor instead of the whole text. */
const MAX_SEND_CHARS = 400_000;
const WINDOW_CHARS = 100_000;
const RECENT_FILES = 4;
const RECENT_CONTEXT_LINES = 8;

export interface InlineCompletions {
  /** The last result the engine returned (host tests and the log read it). */
  readonly last: CompletionInlineResult | undefined;
  readonly statusItem: vscode.StatusBarItem;
  refreshStatus(): Promise<CompletionStats | undefined>;
}

/**
 * Waits long enough not to fire inside a burst of typing, and no longer: 1.3× the user's recent
 * median gap between keystrokes, within [40, 300] ms. A fixed `keel.completions.debounceMs` wins.
 */
export class AdaptiveDebounce {
  private readonly gaps: number[] = [];
  private lastAt = 0;

  constructor(private readonly now: () => number = () => Date.now()) {}

  next(fixedMs: number): number {
    const t = this.now();
    if (this.lastAt && t - this.lastAt < 2000) {
      this.gaps.push(t - this.lastAt);
      if (this.gaps.length > 9) this.gaps.shift();
    }
    this.lastAt = t;
    if (fixedMs > 0) return fixedMs;
    if (this.gaps.length < 3) return 120;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return Math.round(Math.min(300, Math.max(40, median * 1.3)));
  }
}

export function registerInlineCompletions(ctx: KeelContext): InlineCompletions {
  const debounce = new AdaptiveDebounce();
  const recent = new Map<string, { uri: vscode.Uri; line: number }>();
  let last: CompletionInlineResult | undefined;

  const enabled = (): boolean => vscode.workspace.getConfiguration('keel').get<boolean>('completions.enabled', true) !== false;

  const statusItem = vscode.window.createStatusBarItem('keel.completions', vscode.StatusBarAlignment.Right, 91);
  statusItem.name = 'Keel Completions';
  statusItem.command = TOGGLE_COMPLETIONS;
  ctx.disposables.push(statusItem);
  const paintStatus = (stats?: CompletionStats): void => {
    const on = enabled();
    statusItem.text = on ? '$(sparkle) Keel' : '$(circle-slash) Keel';
    const rate = stats?.acceptanceRate === null || stats?.acceptanceRate === undefined ? '–' : `${Math.round(stats.acceptanceRate * 100)}%`;
    statusItem.tooltip = `Keel inline completions: ${on ? 'on' : 'off'} (click to toggle)` + (stats ? `\nShown ${stats.shown}, accepted ${stats.accepted} (${rate}); ${stats.calls} model calls, $${stats.costUsd.toFixed(4)}` : '');
    statusItem.accessibilityInformation = { label: `Keel inline completions ${on ? 'on' : 'off'}`, role: 'button' };
    statusItem.show();
  };
  const refreshStatus = async (): Promise<CompletionStats | undefined> => {
    try {
      const stats = await ctx.engine.request('completions/stats', {});
      paintStatus(stats);
      return stats;
    } catch (error) {
      ctx.log.debug(`completions stats: ${toKeelError(error).message}`);
      paintStatus();
      return undefined;
    }
  };
  paintStatus();

  ctx.disposables.push(
    vscode.commands.registerCommand(TOGGLE_COMPLETIONS, async () => {
      await vscode.workspace.getConfiguration('keel').update('completions.enabled', !enabled(), vscode.ConfigurationTarget.Global);
      paintStatus();
    }),
    vscode.commands.registerCommand(COMPLETION_ACCEPTED, async (id: unknown) => {
      if (typeof id !== 'string') return;
      try {
        const stats = await ctx.engine.request('completions/accepted', { id, kind: 'full' });
        paintStatus(stats);
      } catch (error) {
        ctx.log.warn(`completion accept: ${toKeelError(error).message}`);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('keel.completions')) paintStatus();
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.scheme !== 'file' || !e.contentChanges.length) return;
      const key = e.document.uri.toString();
      recent.delete(key);
      recent.set(key, { uri: e.document.uri, line: e.contentChanges[0]!.range.start.line });
      while (recent.size > RECENT_FILES + 1) recent.delete(recent.keys().next().value!);
    }),
  );

  const recentEdits = (current: vscode.Uri): RecentEdit[] => {
    const out: RecentEdit[] = [];
    for (const { uri, line } of [...recent.values()].reverse()) {
      if (uri.toString() === current.toString()) continue;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (!doc) continue;
      const from = Math.max(0, line - RECENT_CONTEXT_LINES);
      const to = Math.min(doc.lineCount - 1, line + RECENT_CONTEXT_LINES);
      out.push({ path: vscode.workspace.asRelativePath(uri, false), text: doc.getText(new vscode.Range(from, 0, to, doc.lineAt(to).text.length)) });
      if (out.length >= RECENT_FILES) break;
    }
    return out;
  };

  const provider: vscode.InlineCompletionItemProvider = {
    async provideInlineCompletionItems(document, position, context, token) {
      if (!enabled()) return undefined;
      const explicit = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
      const fixed = vscode.workspace.getConfiguration('keel').get<number>('completions.debounceMs', 0) ?? 0;
      const wait = explicit ? 0 : debounce.next(fixed);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (token.isCancellationRequested) return undefined;

      let text = document.getText();
      let offset = document.offsetAt(position);
      if (text.length > MAX_SEND_CHARS) {
        const start = Math.max(0, offset - WINDOW_CHARS);
        text = text.slice(start, offset + WINDOW_CHARS);
        offset -= start;
      }
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      try {
        const result = await ctx.engine.request(
          'completions/inline',
          { path: document.uri.fsPath, languageId: document.languageId, text, offset, recentEdits: recentEdits(document.uri), explicit },
          { signal: controller.signal },
        );
        last = result;
        ctx.log.debug(
          `completion ${result.cached ? 'cache hit' : result.reason ?? 'shown'} (${result.model}, ${result.template}): assemble ${result.timings.assembleMs.toFixed(1)} ms, model ${result.timings.modelMs.toFixed(0)} ms, total ${result.timings.totalMs.toFixed(0)} ms`,
        );
        if (token.isCancellationRequested || !result.items.length) return undefined;
        if (!result.cached) void refreshStatus();
        return result.items.map(
          (item) =>
            new vscode.InlineCompletionItem(item.text, new vscode.Range(position, position), {
              command: COMPLETION_ACCEPTED,
              title: 'Accept Keel completion',
              arguments: [item.id],
            }),
        );
      } catch (error) {
        const e = toKeelError(error);
        if (e.code !== 'CANCELLED') ctx.log.warn(`completion: ${e.message} [${e.code}]`);
        return undefined;
      } finally {
        sub.dispose();
      }
    },
  };
  ctx.disposables.push(
    vscode.languages.registerInlineCompletionItemProvider(
      LANGUAGES.map((language) => ({ scheme: 'file', language })),
      provider,
    ),
  );

  return {
    get last() {
      return last;
    },
    statusItem,
    refreshStatus,
  };
}
