/**
 * Analyse one file: parse it once with tree-sitter, run the analyzers of its language, then apply
 * rule settings and suppression comments and convert to the public 1-based `Finding` shape.
 */
import type { Finding } from '../../protocol';
import { KeelError } from '../../common/errors';
import { grammarForPath, parse, type GrammarLanguage, type SyntaxNode } from '../syntax/treeSitter';
import { analyzeJsSql } from './js/injection';
import { callInfos, JS_INDEX_TYPES } from './js/syntax';
import { analyzeJsNPlusOne } from './js/nPlusOne';
import { analyzeJsOrmWrites } from './js/ormWrites';
import type { FileContext, RawFinding } from './model';
import { NodeIndex } from './nodeIndex';
import { analyzePython, PY_INDEX_TYPES } from './python/analyze';
import { effectiveSeverity, ruleFor, type RuleOverrides } from './rules';
import { analyzeStatic, staticIndexTypes, staticSpecFor } from './static/analyze';
import { anchorStatement, collectSuppressions, isSuppressed, suppressFix } from './suppress';
import { inTestHook, isTestPath, TEST_CODE_OFF } from './testCode';
import { parseCached, takeScanTree } from './treeCache';
import { importedSummaries, seedSummaries } from './summaries';
import * as nodePath from 'node:path';

export interface AnalyzeInput {
  path: string;
  text: string;
  languageId?: string;
  rules?: RuleOverrides;
}

/** Files larger than this are not analysed on edit (generated code, bundles). */
export const MAX_ANALYZE_CHARS = 2_000_000;

const LANGUAGE_IDS: Record<string, GrammarLanguage> = {
  typescript: 'typescript',
  typescriptreact: 'tsx',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  python: 'python',
  go: 'go',
  java: 'java',
};
const SUPPORTED = new Set<GrammarLanguage>(['typescript', 'tsx', 'javascript', 'python', 'go', 'java']);

export function sqlLanguageFor(path: string, languageId?: string): GrammarLanguage | undefined {
  const lang = (languageId && LANGUAGE_IDS[languageId]) || grammarForPath(path);
  return lang && SUPPORTED.has(lang) ? lang : undefined;
}

export interface AnalyzeOptions {
  /** Also record this file's own function summaries for files importing it (workspace scans). */
  seedSummaries?: boolean;
  /** Keep the tree for the next call with the same path and reparse incrementally (open documents). */
  incremental?: boolean;
  /**
   * Where the file is on disk, for following its workspace imports (cross-file summaries). Defaults to
   * `input.path` when that is absolute (the editor sends the document's path); without it, imports are not followed.
   */
  absPath?: string;
}

export async function analyzeSource(input: AnalyzeInput, options: AnalyzeOptions = {}): Promise<Finding[]> {
  if (typeof input?.path !== 'string' || typeof input.text !== 'string') {
    throw new KeelError('INVALID_PARAMS', 'sql/analyze needs { path: string, text: string }');
  }
  if (input.text.length > MAX_ANALYZE_CHARS) {
    throw new KeelError('FILE_TOO_LARGE', `${input.path} is ${input.text.length} characters; SQL analysis stops at ${MAX_ANALYZE_CHARS}`);
  }
  const language = sqlLanguageFor(input.path, input.languageId);
  if (!language) return [];
  const file: FileContext = { path: input.path, text: input.text, language };
  const abs = options.absPath ?? (nodePath.isAbsolute(input.path) ? input.path : undefined);
  // A scan may already have parsed this file to summarise it for a file importing it.
  const kept = !options.incremental && options.seedSummaries && abs ? takeScanTree(abs, language, input.text) : undefined;
  const tree = options.incremental ? await parseCached(input.path, language, input.text) : (kept ?? (await parse(language, input.text)));
  try {
    const root = tree.rootNode;
    if (abs && language !== 'go' && language !== 'java') file.imported = await importedSummaries(abs, language, root, options.seedSummaries === true);
    let raw: RawFinding[];
    let comments: SyntaxNode[];
    const staticSpec = staticSpecFor(language);
    if (language === 'python') {
      const index = new NodeIndex(root, PY_INDEX_TYPES);
      raw = analyzePython(file, index);
      comments = index.of('comment');
      if (abs && options.seedSummaries) await seedSummaries(abs, input.text, language, root, index);
    } else if (staticSpec) {
      const index = new NodeIndex(root, staticIndexTypes(staticSpec));
      raw = analyzeStatic(file, index, staticSpec);
      comments = index.of(...staticSpec.commentTypes);
    } else {
      const index = new NodeIndex(root, JS_INDEX_TYPES);
      const calls = callInfos(index.of('call_expression'), input.text, (n) => index.end(n));
      raw = [...analyzeJsSql(file, index, calls), ...analyzeJsNPlusOne(file, index, calls), ...analyzeJsOrmWrites(file, calls)];
      comments = index.of('comment');
      if (abs && options.seedSummaries) await seedSummaries(abs, input.text, language, root, index);
    }
    const suppressions = input.text.includes('keel-ignore') ? collectSuppressions(comments) : new Map();
    return finalize(file, raw, suppressions, input.rules);
  } finally {
    if (!options.incremental) tree.delete();
  }
}

function finalize(file: FileContext, raw: RawFinding[], suppressions: ReturnType<typeof collectSuppressions>, rules?: RuleOverrides): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const testFile = isTestPath(file.path);
  for (const r of raw) {
    if (TEST_CODE_OFF.has(r.category) && (testFile || inTestHook(r.node))) continue;
    const rule = ruleFor(r.category);
    const severity = effectiveSeverity(rule, rules);
    if (severity === 'off') continue;
    const start = r.node.startPosition;
    const end = r.node.endPosition;
    const key = `${rule.code}:${start.row}:${start.column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const anchor = anchorStatement(r.node);
    if (isSuppressed(suppressions, rule.code, anchor.startPosition.row + 1, start.row + 1)) continue;
    const finding: Finding = {
      path: file.path,
      line: start.row + 1,
      column: start.column + 1,
      endLine: end.row + 1,
      endColumn: end.column + 1,
      category: r.category,
      code: rule.code,
      severity,
      message: r.message,
      fixes: [...r.fixes, suppressFix(file, anchor, rule.code)],
    };
    if (r.related.length > 0) finding.related = r.related;
    out.push(finding);
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
