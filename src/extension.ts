/**
 * Keel's composition root: creates the engine client and every VS Code surface, and registers their
 * disposables. No feature logic lives here, and nothing heavy runs on the extension host thread — the
 * engine worker starts on first request.
 */
import * as vscode from 'vscode';
import type { KeelApi } from './api';
import { registerChatParticipant } from './vscode/chatParticipant';
import { registerChatView } from './vscode/chatView';
import { registerCommands } from './vscode/commands';
import { registerCostStatusBar } from './vscode/costStatusBar';
import { registerIndexing } from './vscode/indexing';
import { registerInlineCompletions } from './vscode/inlineCompletions';
import type { KeelContext } from './vscode/context';
import { registerEgressLog } from './vscode/egressLog';
import { EngineClient } from './vscode/engineClient';
import { registerQueryPlan } from './vscode/queryPlan';
import { registerSearchQuickPick } from './vscode/searchQuickPick';
import { registerLmBridge } from './vscode/lmBridge';
import { withTail } from './vscode/logTail';
import { ReportDocuments } from './vscode/reports';
import { registerLmTools } from './vscode/lmTools';
import { registerSecrets } from './vscode/secrets';
import { registerSettingsSync } from './vscode/settings';
import { registerSqlAiFix } from './vscode/sqlAiFix';
import { registerTrustGate } from './vscode/trustGate';
import { registerProvenanceView } from './vscode/provenanceView';
import { registerSqlCodeActions } from './vscode/sqlCodeActions';
import { registerSqlDiagnostics } from './vscode/sqlDiagnostics';
import { registerApiDiagnostics } from './vscode/apiDiagnostics';
import { registerUnsavedBuffers } from './vscode/unsavedBuffers';

let engine: EngineClient | undefined;

export function activate(extension: vscode.ExtensionContext): KeelApi {
  const started = performance.now();
  const { log, lines: logLines } = withTail(vscode.window.createOutputChannel('Keel', { log: true }));
  engine = EngineClient.forExtension(extension, log);
  const ctx: KeelContext = { extension, engine, log, disposables: extension.subscriptions };
  extension.subscriptions.push(log, { dispose: () => void engine?.dispose() });

  // Settings and secrets first: every later request to the engine sees the user's configuration.
  registerSettingsSync(ctx);
  registerSecrets(ctx);
  // vscode.lm lives on this thread; the engine worker reaches it through host requests.
  registerLmBridge(ctx);
  const reports = new ReportDocuments(ctx);
  const egressLog = registerEgressLog(ctx, reports);
  const cost = registerCostStatusBar(ctx);
  // After every answer the meter re-reads the ledger, and an open egress log shows the new calls.
  const chatView = registerChatView(ctx, () => void Promise.all([cost.refresh(), egressLog.refresh()]));
  registerChatParticipant(ctx);
  const indexing = registerIndexing(ctx, reports);
  registerUnsavedBuffers(ctx);
  const search = registerSearchQuickPick(ctx);
  const sql = registerSqlDiagnostics(ctx);
  registerSqlCodeActions(ctx);
  registerSqlAiFix(ctx);
  registerTrustGate(ctx);
  registerProvenanceView(ctx);
  registerApiDiagnostics(ctx);
  registerLmTools(ctx);
  registerInlineCompletions(ctx);
  const queryPlan = registerQueryPlan(ctx);
  registerCommands(ctx, {
    ...cost.commands,
    'keel.scanWorkspace': () => sql.scanWorkspace(),
    'keel.searchWorkspace': () => search.show(),
    'keel.showEgressLog': () => egressLog.show(),
    'keel.indexWorkspace': () => indexing.index(true),
    'keel.showIndexStatus': () => indexing.showStatus(),
    'keel.newChat': () => chatView.newChat(),
    'keel.askAboutSelection': () => chatView.askAboutSelection(),
  });

  const activationMs = performance.now() - started;
  log.info(`Keel ${extension.extension.packageJSON.version} activated in ${activationMs.toFixed(1)} ms`);
  return {
    engine,
    activationMs,
    logLines: logLines,
    chatView: {
      whenRendered: () => chatView.whenRendered(),
      dispatch: (message) => chatView.receive(message),
      onDidPost: (listener) => chatView.onDidPost(listener),
      get lastContextMs() {
        return chatView.lastContextMs;
      },
    },
    queryPlan: {
      explain: (uri, line) => queryPlan.explain(uri, line),
      checkFile: () => queryPlan.checkFile(),
      get lastResult() {
        return queryPlan.lastResult;
      },
    },
    cost: {
      get statusText() {
        return cost.item.text;
      },
      refresh: () => cost.refresh(),
      showReport: () => cost.showReport(),
      get reportSummary() {
        return cost.report?.lastSent;
      },
    },
  };
}

export async function deactivate(): Promise<void> {
  await engine?.dispose();
  engine = undefined;
}
