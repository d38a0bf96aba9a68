/**
 * Shared tree-sitter access for the chunker and the SQL analyzers. Grammars come from
 * @vscode/tree-sitter-wasm (the ones VS Code itself uses); the runtime from web-tree-sitter.
 * Loading is lazy and memoised per language: the first parse of a language pays ~10–50 ms once.
 */
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';
import { assetPath } from '../assets';

export type { Node as SyntaxNode, Tree as SyntaxTree } from 'web-tree-sitter';

/** Languages Keel parses with a grammar. Others (SQL, Markdown, YAML …) use structural fallbacks. */
export type GrammarLanguage =
  | 'typescript'
  | 'tsx'
  | 'javascript'
  | 'python'
  | 'go'
  | 'java'
  | 'rust'
  | 'ruby'
  | 'php'
  | 'c_sharp'
  | 'cpp'
  | 'bash'
  | 'css';

const GRAMMAR_FILE: Record<GrammarLanguage, string> = {
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
  java: 'tree-sitter-java.wasm',
  rust: 'tree-sitter-rust.wasm',
  ruby: 'tree-sitter-ruby.wasm',
  php: 'tree-sitter-php.wasm',
  c_sharp: 'tree-sitter-c-sharp.wasm',
  cpp: 'tree-sitter-cpp.wasm',
  bash: 'tree-sitter-bash.wasm',
  css: 'tree-sitter-css.wasm',
};

const EXTENSION_LANGUAGE: Record<string, GrammarLanguage> = {
  '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript',
  '.tsx': 'tsx', '.jsx': 'javascript',
  '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript',
  '.py': 'python', '.pyi': 'python',
  '.go': 'go', '.java': 'java', '.rs': 'rust', '.rb': 'ruby', '.php': 'php', '.cs': 'c_sharp',
  '.cc': 'cpp', '.cpp': 'cpp', '.cxx': 'cpp', '.hpp': 'cpp', '.hh': 'cpp', '.h': 'cpp', '.c': 'cpp',
  '.sh': 'bash', '.bash': 'bash', '.css': 'css',
};

/** The grammar for a file path, or undefined if Keel has none for it. */
export function grammarForPath(filePath: string): GrammarLanguage | undefined {
  const dot = filePath.lastIndexOf('.');
  return dot < 0 ? undefined : EXTENSION_LANGUAGE[filePath.slice(dot).toLowerCase()];
}

let runtime: Promise<void> | undefined;
const languages = new Map<GrammarLanguage, Promise<Language>>();
const parsers = new Map<GrammarLanguage, Parser>();

function initRuntime(): Promise<void> {
  runtime ??= Parser.init({ locateFile: (name: string) => assetPath('wasm', name) });
  return runtime;
}

export function loadLanguage(language: GrammarLanguage): Promise<Language> {
  let pending = languages.get(language);
  if (!pending) {
    pending = initRuntime().then(() => Language.load(assetPath('wasm', GRAMMAR_FILE[language])));
    languages.set(language, pending);
  }
  return pending;
}

/**
 * A parser bound to `language`, reused across calls (parsers are not thread-safe, but the engine
 * parses on one thread). Call `tree.delete()` when done with a tree: WASM memory is not GC'd.
 */
export async function parserFor(language: GrammarLanguage): Promise<Parser> {
  const existing = parsers.get(language);
  if (existing) return existing;
  const lang = await loadLanguage(language);
  const parser = new Parser();
  parser.setLanguage(lang);
  parsers.set(language, parser);
  return parser;
}

/** Parse `text`; the caller owns the tree and must `delete()` it. */
export async function parse(language: GrammarLanguage, text: string): Promise<Tree> {
  const parser = await parserFor(language);
  const tree = parser.parse(text);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${language}`);
  return tree;
}
