/**
 * `@keel` in VS Code's Chat view, where the Chat API exists. It is a second front door to the same
 * engine request the chat panel uses (`chat/ask`): no second implementation of retrieval or answering.
 */
import * as vscode from 'vscode';
import { toKeelError } from '../common/errors';
import { questionRoot, resolveWorkspacePath } from './chatActions';
import { pickedModel } from './chatTarget';
import type { KeelContext } from './context';
import { chatCommandOf, runChatCommand } from './chatCommands';

export const PARTICIPANT_ID = 'keel.keel';

export function registerChatParticipant(ctx: KeelContext): void {
  // Older hosts and some forks have no Chat API: the panel still works there.
  if (typeof vscode.chat?.createChatParticipant !== 'function') return;
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, async (request, chatContext, stream, token) => {
    const root = questionRoot();
    if (!root || !vscode.workspace.isTrusted) {
      stream.markdown(root ? 'This workspace is in Restricted Mode: trust it to let Keel read its code.' : 'Open a folder so Keel has code to answer from.');
      return {};
    }
    const history = chatContext.history.flatMap((turn, i, all) => {
      if (!(turn instanceof vscode.ChatRequestTurn)) return [];
      const next = all[i + 1];
      const answer = next instanceof vscode.ChatResponseTurn
        ? next.response.map((part) => (part instanceof vscode.ChatResponseMarkdownPart ? part.value.value : '')).join('')
        : '';
      return answer ? [{ question: turn.prompt, answer }] : [];
    });
    try {
      const command = chatCommandOf(request.prompt, request.command);
      if (command) {
        stream.progress(command.kind === 'sql' ? 'Writing SQL from the schema, then checking it against the safety rules and the query plan…' : 'Checking the endpoints with Keel’s api rules…');
        const cancel = new AbortController();
        const subscription = token.onCancellationRequested(() => cancel.abort());
        const r = await runChatCommand(ctx.engine, command, root, cancel.signal).finally(() => subscription.dispose());
        stream.markdown(r.answer);
        return { metadata: { model: r.model, tier: r.tier, costUsd: r.costUsd } };
      }
      const result = await ctx.engine.request(
        'chat/ask',
        { question: request.prompt, root, history: history.slice(-6), tier: 'auto', ...pickedModel(request) },
        {
          token,
          onChunk: (chunk) => {
            if (chunk.type === 'context') {
              stream.progress(`Found ${chunk.passages.length} relevant passages`);
              for (const warning of chunk.warnings ?? []) {
                ctx.log.warn(`@keel: ${warning}`);
                stream.markdown(`> ⚠️ ${warning}\n\n`);
              }
            } else if (chunk.type === 'delta') stream.markdown(chunk.text);
            else if (chunk.type === 'step') stream.progress(`Looked up ${chunk.lookups.map((l) => l.label).join(', ')} ($${chunk.costUsd.toFixed(4)})`);
          },
        },
      );
      if (result.offline) stream.markdown(result.answer);
      for (const c of result.citations) {
        const uri = resolveWorkspacePath(c.path);
        if (uri) stream.reference(new vscode.Location(uri, new vscode.Range(c.startLine - 1, 0, Math.max(c.startLine, c.endLine) - 1, 0)));
      }
      return { metadata: { model: result.model, tier: result.tier, costUsd: result.costUsd, cached: result.cached } };
    } catch (error) {
      const e = toKeelError(error);
      if (e.code !== 'CANCELLED') ctx.log.error(`@keel: the answer failed: ${e.message} [${e.code}]`);
      return { errorDetails: { message: `${e.message} [${e.code}]` } };
    }
  });
  participant.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'keel.svg');
  ctx.disposables.push(participant);
}
