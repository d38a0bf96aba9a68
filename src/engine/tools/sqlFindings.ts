/** sql_findings: Keel's SQL-injection / N+1 / unsafe-write analysis of workspace files, with the fixes it proposes. */
import * as path from 'node:path';
import { z } from 'zod';
import type { Finding, SqlRuleSettings } from '../../protocol';
import { ConfigKey } from '../config';
import { call } from '../engine';
import { clip, LIMITS } from './limits';
import { resolveWorkspacePath } from './pathPolicy';
import { defineTool } from './types';
import { configuredExcludes } from './workspaceAccess';

const input = z
  .object({
    paths: z
      .array(z.string().min(1).max(1024))
      .max(LIMITS.sqlPaths)
      .optional()
      .describe('Workspace-relative files or folders to analyse (default: the whole workspace).'),
  })
  .strict();

/** Where a finding, and each of its fix's edits, stands in the workspace. */
const span = { path: z.string(), line: z.number().int(), column: z.number().int(), endLine: z.number().int(), endColumn: z.number().int() };
const edit = z.object({ ...span, newText: z.string() });
const finding = z.object({
  ...span,
  code: z.string(),
  category: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  fixes: z.array(z.object({ title: z.string(), kind: z.string(), isPreferred: z.boolean(), edits: z.array(edit) })),
});

const output = z.object({
  findings: z.array(finding),
  total: z.number().int(),
  files: z.number().int(),
  skipped: z.number().int(),
  truncated: z.boolean(),
});

const SEVERITY_RANK = { error: 0, warning: 1, info: 2 } as const;

export const sqlFindings = defineTool({
  name: 'sql_findings',
  title: 'SQL findings',
  description:
    'Analyse workspace files for SQL injection, N+1 queries, unbounded writes, destructive statements and SELECT *, with the fixes Keel proposes (parameterize, eager-load, batch). Works on JS/TS, Python, Go and Java.',
  input,
  output,
  async run(args, ctx) {
    const exclude = configuredExcludes(ctx);
    const targets = args.paths?.length ? args.paths : ['.'];
    const all: Finding[] = [];
    let files = 0;
    let skipped = 0;
    for (const target of targets) {
      const resolved = await resolveWorkspacePath(ctx.roots, target, { exclude, allowDirectory: true });
      const root = ctx.roots[resolved.root];
      const result = await call(
        ctx.engine,
        'sql/scan',
        { paths: [resolved.rel || '.'], cwd: root, rules: ctx.engine.services.get(ConfigKey).get<SqlRuleSettings | undefined>('keel.sql.rules', undefined) },
        { signal: ctx.signal },
      );
      const prefix = ctx.roots.length > 1 ? `${path.basename(root)}/` : '';
      for (const f of result.findings) all.push({ ...f, path: prefix + f.path, fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, path: prefix + e.path })) })) });
      files += result.files;
      skipped += result.skipped.length;
    }
    const unique = [...new Map(all.map((f) => [`${f.path}:${f.line}:${f.column}:${f.code}`, f])).values()];
    unique.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.path.localeCompare(b.path) || a.line - b.line);
    const findings = unique.slice(0, LIMITS.sqlFindings).map((f) => ({
      path: f.path,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      code: f.code,
      category: f.category,
      severity: f.severity,
      message: f.message,
      fixes: f.fixes.map((x) => ({
        title: x.title,
        kind: x.kind,
        isPreferred: x.isPreferred === true,
        edits: x.edits.map((e) => ({ ...e, newText: clip(e.newText, LIMITS.fixTextChars).text })),
      })),
    }));
    const structured = { findings, total: unique.length, files, skipped, truncated: unique.length > findings.length };
    return { structured, text: render(structured) };
  },
});

function render(s: z.infer<typeof output>): string {
  if (!s.findings.length) return `No SQL findings in ${s.files} analysed files.`;
  const lines = [`${s.total} SQL findings in ${s.files} files${s.truncated ? ` (first ${s.findings.length} shown)` : ''}:`];
  for (const f of s.findings) {
    lines.push(`${f.path}:${f.line} [${f.severity}] ${f.code}: ${f.message}`);
    for (const fix of f.fixes) lines.push(`    fix${fix.isPreferred ? ' (preferred)' : ''}: ${fix.title}`);
  }
  return lines.join('\n');
}
