/**
 * How a completion prompt is framed for each kind of model. Code models trained for fill-in-the-middle
 * (FIM) expect their own sentinel tokens around prefix and suffix, and will happily continue past the
 * hole unless told where to stop; OpenAI-compatible servers that understand `suffix` (OpenAI's instruct
 * models, Ollama) take the two halves as fields; chat-only models get a prefix/suffix chat prompt.
 * The sentinels are the ones each family's model card documents.
 */
import type { CompletionTemplate } from '../../protocol';

export type TemplateId = Exclude<CompletionTemplate, 'auto'>;

export interface FimFamily {
  id: Exclude<TemplateId, 'openai-suffix' | 'chat'>;
  render(prefix: string, suffix: string): string;
  /** Stop sequences: the end-of-text and file-separator tokens the model emits after the middle. */
  stop: string[];
}

export const FIM_FAMILIES: Record<FimFamily['id'], FimFamily> = {
  starcoder: {
    id: 'starcoder',
    render: (p, s) => `<fim_prefix>${p}<fim_suffix>${s}<fim_middle>`,
    stop: ['<|endoftext|>', '<file_sep>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>'],
  },
  codellama: {
    id: 'codellama',
    render: (p, s) => `<PRE> ${p} <SUF>${s} <MID>`,
    stop: ['<EOT>', '<PRE>', '<SUF>', '<MID>'],
  },
  deepseek: {
    id: 'deepseek',
    render: (p, s) => `<｜fim▁begin｜>${p}<｜fim▁hole｜>${s}<｜fim▁end｜>`,
    stop: ['<｜end▁of▁sentence｜>', '<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<|EOT|>'],
  },
  qwen: {
    id: 'qwen',
    render: (p, s) => `<|fim_prefix|>${p}<|fim_suffix|>${s}<|fim_middle|>`,
    stop: ['<|endoftext|>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|im_end|>'],
  },
  codestral: {
    id: 'codestral',
    // Mistral's FIM order puts the suffix first.
    render: (p, s) => `[SUFFIX]${s}[PREFIX]${p}`,
    stop: ['</s>', '[SUFFIX]', '[PREFIX]', '[MIDDLE]'],
  },
};

/** Every sentinel of every family: a completion that contains one is leaking the template (junk). */
export const ALL_SENTINELS: readonly string[] = [...new Set(Object.values(FIM_FAMILIES).flatMap((f) => f.stop))];

/** The template a model name implies. Unknown names on an OpenAI-compatible server get `suffix`. */
export function templateFor(model: string, provider: string, configured: CompletionTemplate = 'auto'): TemplateId {
  if (configured !== 'auto') return configured;
  const m = model.toLowerCase();
  if (/starcoder|stable-?code|refact/.test(m)) return 'starcoder';
  if (/code-?llama/.test(m)) return 'codellama';
  if (/deepseek-?coder/.test(m)) return 'deepseek';
  if (/qwen.*coder|codeqwen/.test(m)) return 'qwen';
  if (/codestral/.test(m)) return 'codestral';
  if (/instruct/.test(m) && /gpt-3\.5|davinci|babbage/.test(m)) return 'openai-suffix';
  if (provider === 'anthropic' || provider === 'vscode-lm' || provider === 'openai') return 'chat';
  return 'openai-suffix';
}

/** The `/v1/completions` body for a FIM template (prompt rendered with sentinels, no `suffix`) or `openai-suffix`. */
export function completionsBody(template: Exclude<TemplateId, 'chat'>, input: { model: string; prefix: string; suffix: string; maxTokens: number; stop: string[] }): Record<string, unknown> {
  const base = { model: input.model, max_tokens: input.maxTokens, temperature: 0.1, stream: true, stream_options: { include_usage: true } };
  if (template === 'openai-suffix') return { ...base, prompt: input.prefix, suffix: input.suffix, stop: input.stop.slice(0, 4) };
  const family = FIM_FAMILIES[template];
  // OpenAI's API takes at most 4 stop sequences; self-hosted servers take more, and need the sentinels.
  return { ...base, prompt: family.render(input.prefix, input.suffix), stop: [...family.stop, ...input.stop].slice(0, 16) };
}

const CHAT_SYSTEM = [
  'You complete code at the cursor, like an editor\'s ghost text.',
  'The user sends the code before the cursor and the code after it, separated by the marker <CURSOR>.',
  'Reply with ONLY the text to insert at <CURSOR>: no explanation, no markdown fences, no repetition of the code before or after it.',
  'If nothing sensible fits, reply with nothing.',
].join(' ');

/** A prefix/suffix chat prompt for chat-only models. */
export function chatPrompt(input: { context: string; prefix: string; suffix: string; language: string; path: string }): { system: string; user: string } {
  const parts: string[] = [];
  if (input.context) parts.push(`Context from the repository (read-only):\n${input.context}`);
  parts.push(`File: ${input.path} (${input.language})\n<CODE>\n${input.prefix}<CURSOR>${input.suffix}\n</CODE>`);
  return { system: CHAT_SYSTEM, user: parts.join('\n\n') };
}

/** Line-comment syntax for the context block that precedes the prefix in FIM prompts. */
export function lineComment(languageId: string): string {
  switch (languageId) {
    case 'python':
    case 'ruby':
    case 'shellscript':
    case 'yaml':
    case 'toml':
    case 'r':
    case 'perl':
    case 'dockerfile':
    case 'makefile':
      return '#';
    case 'sql':
    case 'lua':
    case 'haskell':
      return '--';
    default:
      return '//';
  }
}

/** Context snippets as comments, each under its path, the way repository-level FIM training data looks. */
export function commentedContext(sections: ReadonlyArray<{ path?: string; text: string }>, languageId: string): string {
  const c = lineComment(languageId);
  const out: string[] = [];
  for (const s of sections) {
    if (s.path) out.push(`${c} Path: ${s.path}`);
    for (const line of s.text.split('\n')) out.push(line ? `${c} ${line}` : c);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
