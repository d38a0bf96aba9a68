/**
 * API keys live only in VS Code SecretStorage (OS keychain backed). They are handed to the engine's
 * memory through `engine/configure` and never written to settings, logs or the index.
 */
import * as vscode from 'vscode';
import type { KeelContext } from './context';
import { apiKeyPromptTitle, PROVIDER_NAMES } from './providerNames';

export const SECRET_NAMES = {
  openai: 'keel.openai.apiKey',
  anthropic: 'keel.anthropic.apiKey',
  'openai-compatible': 'keel.openaiCompatible.apiKey',
  cohere: 'keel.cohere.apiKey',
  voyage: 'keel.voyage.apiKey',
  jina: 'keel.jina.apiKey',
} as const;

type Provider = keyof typeof SECRET_NAMES;

/** Push the stored keys to the engine's memory now; resolves when the engine has them. */
export async function pushSecrets(ctx: KeelContext): Promise<void> {
  const secrets: Record<string, string | null> = {};
  for (const [provider, name] of Object.entries(SECRET_NAMES)) secrets[provider] = (await ctx.extension.secrets.get(name)) ?? null;
  await ctx.engine.request('engine/configure', { secrets });
}

export async function setApiKey(ctx: KeelContext, provider?: Provider, key?: string): Promise<boolean> {
  const chosen =
    provider ??
    ((
      await vscode.window.showQuickPick(
        [
          { label: PROVIDER_NAMES.openai, provider: 'openai' as const },
          { label: PROVIDER_NAMES.anthropic, provider: 'anthropic' as const },
          { label: PROVIDER_NAMES['openai-compatible'], description: 'Ollama, vLLM, LM Studio …', provider: 'openai-compatible' as const },
          { label: PROVIDER_NAMES.cohere, description: 're-ranking', provider: 'cohere' as const },
          { label: PROVIDER_NAMES.voyage, description: 're-ranking', provider: 'voyage' as const },
          { label: PROVIDER_NAMES.jina, description: 're-ranking', provider: 'jina' as const },
        ],
        { title: 'Keel: Set API Key', placeHolder: 'Which provider is this key for?' },
      )
    )?.provider);
  if (!chosen) return false;
  const value =
    key ??
    (await vscode.window.showInputBox({
      title: apiKeyPromptTitle(chosen),
      prompt: 'Stored in VS Code SecretStorage. Leave empty to remove the key.',
      password: true,
      ignoreFocusOut: true,
    }));
  if (value === undefined) return false;
  if (value === '') await ctx.extension.secrets.delete(SECRET_NAMES[chosen]);
  else await ctx.extension.secrets.store(SECRET_NAMES[chosen], value.trim());
  ctx.log.info(`API key for ${PROVIDER_NAMES[chosen]} ${value === '' ? 'removed' : 'stored'} in SecretStorage`);
  return true;
}

export function registerSecrets(ctx: KeelContext): void {
  pushSecrets(ctx).catch((error: Error) => ctx.log.warn(`could not push secrets: ${error.message}`));
  ctx.extension.secrets.onDidChange((event) => {
    if (Object.values(SECRET_NAMES).includes(event.key as never)) void pushSecrets(ctx).catch(() => undefined);
  }, undefined, ctx.disposables);
}
