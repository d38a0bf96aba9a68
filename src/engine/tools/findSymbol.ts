/**
 * find_symbol: where a name is defined and where it is used, from the index. Definitions come from
 * the chunkers' symbol names (tree-sitter: `Class.method`, `function`) plus definition-shaped lines;
 * references are the lines that mention the name in the chunks a keyword search ranks first. It is
 * a text-level answer (no type resolution), fast on any repository the index covers.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { LIMITS } from './limits';
import { defineTool } from './types';
import { FileLines, indexFor, PathGate } from './workspaceAccess';

const input = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*$/, 'an identifier, optionally qualified (Class.method)')
      .describe('A function, class, method or variable name; `Class.method` narrows definitions to that class.'),
  })
  .strict();

const location = z.object({ path: z.string(), line: z.number().int(), preview: z.string() });
const definition = location.extend({ symbol: z.string(), endLine: z.number().int() });

const output = z.object({
  name: z.string(),
  definitions: z.array(definition),
  references: z.array(location),
  truncated: z.boolean(),
});

const PREVIEW_CHARS = 200;

export const findSymbol = defineTool({
  name: 'find_symbol',
  title: 'Find symbol',
  description:
    'Find where a function, class, method or variable is defined and where it is referenced in this workspace (from Keel\'s index; text-level, no type resolution). Use it to follow a call chain: who calls X, where is X implemented.',
  input,
  output,
  async run(args, ctx) {
    const index = await indexFor(ctx);
    const segments = args.name.split(/\.|::|#/);
    const last = segments[segments.length - 1];
    const qualified = segments.length > 1 ? segments.join('.') : undefined;
    const mention = new RegExp(`(?<![\\w$])${escape(last)}(?![\\w$])`);
    const defLine = definitionLine(last);
    const display = (root: number, rel: string): string => (index.roots.length > 1 ? `${path.basename(index.roots[root])}/${rel}` : rel);
    const files = new FileLines(index.roots);
    const gate = new PathGate(ctx);

    const definitions: z.infer<typeof definition>[] = [];
    const seen = new Set<string>();
    const addDefinition = (d: z.infer<typeof definition>): void => {
      const key = `${d.path}:${d.line}`;
      if (seen.has(key)) return;
      seen.add(key);
      definitions.push(d);
    };
    for (const { root, path: rel, record } of index.catalog.entries()) {
      for (const chunk of record.chunks) {
        const names = chunk.symbol.split(', ').filter((n) => n && n !== '…');
        const match = names.find((n) => (qualified ? n === qualified || n.endsWith(`.${qualified}`) : n.split(/\.|::|#/).pop() === last));
        if (!match) continue;
        const shown = display(root, rel);
        if (!(await gate.allows(shown))) continue;
        const lines = (await files.lines(shown)) ?? [];
        let line = chunk.startLine;
        for (let i = chunk.startLine; i <= chunk.endLine; i++) {
          if (defLine.test(lines[i - 1] ?? '')) { line = i; break; }
        }
        addDefinition({ path: shown, line, endLine: chunk.endLine, symbol: match, preview: preview(lines[line - 1]) });
      }
    }

    const references: z.infer<typeof location>[] = [];
    let truncated = false;
    const candidates = index.keywordSearch(last, LIMITS.symbolCandidates);
    for (const { chunk } of candidates) {
      const shown = display(chunk.root ?? 0, chunk.path);
      const lines = (await gate.allows(shown)) ? await files.lines(shown) : undefined;
      if (!lines) continue;
      for (let i = chunk.startLine; i <= Math.min(chunk.endLine, lines.length); i++) {
        const text = lines[i - 1];
        if (!mention.test(text)) continue;
        const key = `${shown}:${i}`;
        if (seen.has(key)) continue;
        if (defLine.test(text)) {
          if (!qualified) addDefinition({ path: shown, line: i, endLine: i, symbol: last, preview: preview(text) });
          continue;
        }
        seen.add(key);
        if (references.length >= LIMITS.symbolReferences) { truncated = true; continue; }
        references.push({ path: shown, line: i, preview: preview(text) });
      }
    }
    if (definitions.length > LIMITS.symbolDefinitions) truncated = true;
    references.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line);
    const structured = { name: args.name, definitions: definitions.slice(0, LIMITS.symbolDefinitions), references, truncated };
    return { structured, text: render(structured) };
  },
});

/** Lines that define `name` in the languages Keel indexes: declarations, assignments of functions, methods. */
function definitionLine(name: string): RegExp {
  const n = escape(name);
  return new RegExp(
    [
      `\\b(?:function\\*?|def|class|func|interface|type|enum|struct|trait|module|const|let|var)\\s+(?:\\([^)]*\\)\\s*)?${n}(?![\\w$])`,
      `^\\s*(?:export\\s+)?(?:default\\s+)?(?:public|private|protected|static|async|override|readonly|abstract|final|\\s)*${n}\\s*(?:<[^>]*>)?\\s*\\([^)]*\\)?\\s*(?::[^={]*)?\\{`,
      `^\\s*(?:export\\s+)?(?:const|let|var)?\\s*${n}\\s*[:=]\\s*(?:async\\s+)?(?:function\\b|\\([^)]*\\)\\s*(?::[^=]*)?=>|[A-Za-z_$][\\w$]*\\s*=>)`,
    ].join('|'),
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function preview(line: string | undefined): string {
  const text = (line ?? '').trim();
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

function render(s: z.infer<typeof output>): string {
  if (!s.definitions.length && !s.references.length) return `No definition or reference of ${s.name} in the index.`;
  const lines = [`Definitions of ${s.name} (${s.definitions.length}):`];
  for (const d of s.definitions) lines.push(`  ${d.path}:${d.line}  ${d.preview}`);
  lines.push(`References (${s.references.length}${s.truncated ? '+, cut' : ''}):`);
  for (const r of s.references) lines.push(`  ${r.path}:${r.line}  ${r.preview}`);
  return lines.join('\n');
}
