/**
 * The extension-host half of the `vscode-lm` provider: answers the engine's `host/lm/models` and
 * `host/lm/chat` requests with `vscode.lm`. The engine (in its worker) never sees a vscode type — model
 * answers go back as `{ text }` chunks, failures as KeelErrors (lmErrors.ts), and the engine's
 * cancellation arrives as an AbortSignal that we turn into a CancellationToken.
 */
import * as vscode from 'vscode';
import type { HostLmChatParams, HostLmModel } from '../protocol';
import { KeelError } from '../common/errors';
import type { KeelContext } from './context';
import { lmErrorToKeel } from './lmErrors';

const JUSTIFICATION = 'Keel answers questions about your code with the model you choose in keel.models.';

export function registerLmBridge(ctx: KeelContext): void {
  ctx.disposables.push(
    ctx.engine.onHostRequest('host/lm/models', async (params) => {
      const models = await selectModels(params?.family ? { family: params.family } : undefined);
      return models.map(describe);
    }),
    ctx.engine.onHostRequest('host/lm/chat', async (params, call) => chat(params, call.signal, (text) => call.stream({ text }))),
  );
}

async function chat(params: HostLmChatParams, signal: AbortSignal, emit: (text: string) => void) {
  const model = await pickModel(params.model);
  const tokens = new vscode.CancellationTokenSource();
  const cancel = (): void => tokens.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const messages = params.messages.map((m) =>
      m.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(m.content) : vscode.LanguageModelChatMessage.User(m.content),
    );
    const response = await model.sendRequest(messages, { justification: params.justification ?? JUSTIFICATION }, tokens.token);
    for await (const text of response.text) {
      if (signal.aborted) break;
      emit(text);
    }
    if (signal.aborted) throw new KeelError('CANCELLED', 'The request was cancelled.', { provider: 'vscode-lm' });
    // vscode.lm reports no usage; the engine counts tokens itself (providers/vscodeLm.ts).
    return { model: `${model.vendor}/${model.id}` };
  } catch (error) {
    throw lmErrorToKeel(error, signal.aborted);
  } finally {
    signal.removeEventListener('abort', cancel);
    tokens.dispose();
  }
}

/** `name` is a family first (what keel.models.* hold), then an exact id; empty: prefer Copilot's models. */
async function pickModel(name: string): Promise<vscode.LanguageModelChat> {
  const candidates = name
    ? [...(await selectModels({ family: name })), ...(await selectModels({ id: name }))]
    : [...(await selectModels({ vendor: 'copilot' })), ...(await selectModels())];
  const model = candidates[0];
  if (!model) {
    throw new KeelError(
      'PROVIDER_NOT_CONFIGURED',
      name
        ? `No VS Code language model named "${name}" is available. Check keel.models.fast / keel.models.reasoning.`
        : 'No VS Code language models are available: install and sign in to GitHub Copilot (or another model extension), or pick another keel.provider.',
      { provider: 'vscode-lm' },
    );
  }
  return model;
}

async function selectModels(selector?: vscode.LanguageModelChatSelector): Promise<vscode.LanguageModelChat[]> {
  // Older VS Code builds (and some forks) have no Language Model API at all.
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  if (typeof lm?.selectChatModels !== 'function') {
    throw new KeelError('PROVIDER_NOT_CONFIGURED', 'This editor has no VS Code Language Model API (vscode.lm); pick another keel.provider.', { provider: 'vscode-lm' });
  }
  try {
    return await lm.selectChatModels(selector);
  } catch (error) {
    throw lmErrorToKeel(error);
  }
}

function describe(model: vscode.LanguageModelChat): HostLmModel {
  return { id: model.id, vendor: model.vendor, family: model.family, name: model.name, maxInputTokens: model.maxInputTokens };
}
