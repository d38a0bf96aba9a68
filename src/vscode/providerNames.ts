/** How Keel names each provider to a person (prompts, pickers); ids stay what settings and secrets use. */
export const PROVIDER_NAMES = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  'openai-compatible': 'OpenAI-compatible server',
  cohere: 'Cohere',
  voyage: 'Voyage AI',
  jina: 'Jina AI',
} as const;

export type KeyedProvider = keyof typeof PROVIDER_NAMES;

/** The title of the API-key prompt, e.g. "Keel: OpenAI API key". */
export function apiKeyPromptTitle(provider: KeyedProvider): string {
  return `Keel: ${PROVIDER_NAMES[provider]} API key`;
}
