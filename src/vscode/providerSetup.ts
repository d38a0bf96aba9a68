/**
 * "Configure a provider" from the chat's offline answer: pick OpenAI, Anthropic or a local
 * OpenAI-compatible server (Ollama by default), store the key in SecretStorage, set `keel.provider`.
 */
import * as vscode from 'vscode';
import type { KeelContext } from './context';
import { setApiKey } from './secrets';

export async function configureProvider(ctx: KeelContext): Promise<boolean> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'OpenAI', description: 'API key stored in SecretStorage', provider: 'openai' as const },
      { label: 'Anthropic', description: 'API key stored in SecretStorage', provider: 'anthropic' as const },
      { label: 'Local server (Ollama, vLLM, LM Studio)', description: 'nothing leaves this machine', provider: 'openai-compatible' as const },
    ],
    { title: 'Keel: configure a model provider' },
  );
  if (!choice) return false;
  const config = vscode.workspace.getConfiguration('keel');
  if (choice.provider === 'openai-compatible') {
    const current = config.get<string>('openaiCompatible.baseUrl') || 'http://127.0.0.1:11434/v1';
    const url = await vscode.window.showInputBox({
      title: 'Keel: OpenAI-compatible server URL',
      value: current,
      validateInput: (value) => (/^https?:\/\/[^\s]+$/.test(value) ? undefined : 'Enter an http(s) URL, e.g. http://127.0.0.1:11434/v1'),
    });
    if (!url) return false;
    await config.update('openaiCompatible.baseUrl', url, vscode.ConfigurationTarget.Global);
  } else if (!(await setApiKey(ctx, choice.provider))) {
    return false;
  }
  await config.update('provider', choice.provider, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`Keel will answer with ${choice.label}.`);
  return true;
}
