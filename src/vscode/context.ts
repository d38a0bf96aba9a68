/**
 * What every VS Code surface receives from the composition root (extension.ts). Surfaces are small
 * modules `registerX(ctx: KeelContext): void` that translate between VS Code and the engine protocol;
 * everything they create goes into `ctx.disposables`.
 */
import type * as vscode from 'vscode';
import type { EngineClient } from './engineClient';

export interface KeelContext {
  readonly extension: vscode.ExtensionContext;
  readonly engine: EngineClient;
  readonly log: vscode.LogOutputChannel;
  readonly disposables: vscode.Disposable[];
}
