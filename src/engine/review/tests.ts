/**
 * Which symbols a hunk changes, and whether the same change touches a test that exercises them.
 * Symbols are found by definition patterns of the languages Keel indexes (JS/TS, Python, Go, Java):
 * the definitions inside the hunk, and the nearest enclosing definition above it.
 */
import * as path from 'node:path';

const TEST_PATH = /(^|\/)(tests?|__tests__|spec|specs|test-d)\/|(^|\/)[^/]*[._-](test|spec)s?(-d)?\.[^/]+$|(^|\/)test_[^/]+\.py$|_test\.(go|py)$|(^|\/)[A-Z]\w*Tests?\.(java|kt)$/;

export function isTestPath(p: string): boolean {
  return TEST_PATH.test(p);
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'await', 'new', 'typeof', 'else', 'do', 'try', 'with', 'elif', 'super', 'constructor', 'main', 'init', '__init__', 'get', 'set', 'run', 'test']);

const DEFINITIONS: RegExp[] = [
  /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)/,
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/,
  /\bclass\s+([A-Za-z_$][\w$]*)/,
  /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)/,
  /^\s*func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/,
  /^\s*(?:(?:public|private|protected|static|async|override|readonly|final|synchronized|abstract)\s+)*(?:[\w<>[\],.?]+\s+)?([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{=]+)?\{\s*$/,
  /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?([A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>)/,
];

export function definedName(line: string): string | undefined {
  for (const re of DEFINITIONS) {
    const m = re.exec(line);
    if (m && !KEYWORDS.has(m[1])) return m[1];
  }
  return undefined;
}

const indentOf = (l: string): number => /^\s*/.exec(l)?.[0].length ?? 0;

/** Symbols a hunk changes: definitions in its lines and the definitions enclosing its first line. */
export function symbolsOf(fileText: string | undefined, startLine: number, changed: ReadonlyArray<{ text: string }>): string[] {
  const out: string[] = [];
  const add = (s: string | undefined): void => {
    if (s && s.length >= 3 && !out.includes(s)) out.push(s);
  };
  for (const l of changed) add(definedName(l.text));
  if (fileText) {
    const lines = fileText.split('\n');
    const first = lines[startLine - 1] ?? '';
    let indent = first.trim() ? indentOf(first) : Infinity;
    for (let i = Math.min(startLine - 2, lines.length - 1); i >= 0 && indent > 0; i--) {
      const l = lines[i];
      if (!l.trim()) continue;
      const name = definedName(l);
      if (name && indentOf(l) < indent) {
        add(name);
        indent = indentOf(l);
      }
    }
  }
  return out;
}

/** A test exercises a file's symbols when it names one of them, or imports the file's module. */
export function testExercises(testText: string, symbols: readonly string[], changedPath: string): boolean {
  for (const s of symbols) if (new RegExp(`\\b${s.replace(/[$]/g, '\\$')}\\b`).test(testText)) return true;
  const stem = path.basename(changedPath).replace(/\.[^.]+$/, '');
  if (stem.length < 3 || stem === 'index' || stem === '__init__') return false;
  const esc = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(from|require\\(|import)\\s*[\\s\\S]{0,200}?['"./\\s]${esc}(['".\\s]|$)`, 'm').test(testText);
}
