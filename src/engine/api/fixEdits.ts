/**
 * Text edits for the api fixes: offsets → 1-based line/column edits, appending helpers at the end of
 * a file, adding imports in each language's idiom, and the indentation of the line a node sits on.
 */
import type { TextEditWire } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import { insertAt, replaceRange } from '../sql/model';
import type { ParsedFile } from './model';

/** Edits by string offsets (end exclusive) as 1-based line/column edits: the SQL fixes' own helpers. */
export { replaceRange as edit, insertAt };

export function append(file: ParsedFile, text: string): TextEditWire {
  const end = file.text.length;
  return replaceRange(file, end, end, `${file.text.endsWith('\n') ? '' : '\n'}${text}`);
}

export function isTs(file: ParsedFile): boolean {
  return file.language === 'typescript' || file.language === 'tsx';
}

/** Leading whitespace of the line `offset` is on. */
export function indentAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** The statement directly under the program / a block that contains `n` (where a declaration can go before it). */
export function enclosingStatement(n: SyntaxNode): SyntaxNode {
  let s = n;
  while (s.parent && !['program', 'statement_block', 'module', 'source_file', 'class_body', 'block', 'statement_list'].includes(s.parent.type)) s = s.parent;
  return s;
}

/** The top-level statement of `n` (for Python classes and JS module-level declarations). */
export function topLevel(n: SyntaxNode): SyntaxNode {
  let s = n;
  while (s.parent && s.parent.type !== 'program' && s.parent.type !== 'module' && s.parent.type !== 'source_file') s = s.parent;
  return s;
}

/** Adds named imports from `module` to a JS/TS file: merged into an existing `import { … } from 'module'`, else a new line. */
export function jsNamedImports(file: ParsedFile, module: string, names: string[]): TextEditWire[] {
  const esc = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const existing = new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*['"]${esc}['"]`).exec(file.text);
  if (existing) {
    const have = new Set(existing[1].split(',').map((x) => x.trim().split(/\s+as\s+/)[0]).filter(Boolean));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length === 0) return [];
    const close = existing.index + existing[0].indexOf('}');
    const before = file.text.slice(existing.index, close).trimEnd();
    return [insertAt(file, existing.index + before.length, `${before.endsWith(',') ? '' : ','} ${missing.join(', ')}`)];
  }
  const required = new RegExp(`(?:const|let|var)\\s*\\{([^}]*)\\}\\s*=\\s*require\\(['"]${esc}['"]\\)`).exec(file.text);
  const esm = /^\s*import\s/m.test(file.text) || isTs(file);
  if (required) {
    const have = new Set(required[1].split(',').map((x) => x.trim()));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length === 0) return [];
    const close = required.index + required[0].indexOf('}');
    const before = file.text.slice(required.index, close).trimEnd();
    return [insertAt(file, required.index + before.length, `, ${missing.join(', ')}`)];
  }
  return [insertAt(file, 0, esm ? `import { ${names.join(', ')} } from '${module}';\n` : `const { ${names.join(', ')} } = require('${module}');\n`)];
}

/** Adds `from module import names` lines to a Python file: merged into an existing line of that module, else new lines after the imports. */
export function pyImports(file: ParsedFile, module: string, names: string[], ...more: Array<[string, string[]]>): TextEditWire[] {
  const out: TextEditWire[] = [];
  const fresh: string[] = [];
  for (const [mod, wanted] of [[module, names] as [string, string[]], ...more]) {
    const esc = mod.replace(/\./g, '\\.');
    const line = new RegExp(`^from\\s+${esc}\\s+import\\s+([^\\n(]+)$`, 'm').exec(file.text);
    if (!line) {
      fresh.push(`from ${mod} import ${wanted.join(', ')}`);
      continue;
    }
    const have = new Set(line[1].split(',').map((x) => x.trim().split(/\s+as\s+/)[0]));
    const missing = wanted.filter((n) => !have.has(n));
    if (missing.length > 0) out.push(insertAt(file, line.index + line[0].length, `, ${missing.join(', ')}`));
  }
  if (fresh.length === 0) return out;
  const imports = [...file.text.matchAll(/^(?:from\s+\S+\s+import\s+(?:\([^)]*\)|[^\n]+)|import\s+[^\n]+)$/gm)];
  const last = imports[imports.length - 1];
  const at = last ? (last.index ?? 0) + last[0].length : 0;
  out.push(insertAt(file, at, last ? `\n${fresh.join('\n')}` : `${fresh.join('\n')}\n`));
  return out;
}

/** Adds Go imports missing from the file's import block (or its single import line). */
export function goImports(file: ParsedFile, wanted: string[]): TextEditWire[] {
  const missing = wanted.filter((w) => !new RegExp(`"${w.replace(/\//g, '\\/')}"`).test(file.text));
  if (missing.length === 0) return [];
  const m = /import\s*\(\n/.exec(file.text);
  if (m) return [replaceRange(file, m.index + m[0].length, m.index + m[0].length, missing.map((w) => `\t"${w}"\n`).join(''))];
  const single = /import\s+"[^"]+"\n/.exec(file.text);
  if (single) return [replaceRange(file, single.index + single[0].length, single.index + single[0].length, missing.map((w) => `import "${w}"\n`).join(''))];
  return [];
}
