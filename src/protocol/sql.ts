/**
 * SQL safety and N+1 detection: findings, fixes and the `sql/*` requests.
 */

import type { ProviderId, Tier, Usage } from './chat';
import type { SkippedFile } from './indexing';

export type FindingCategory = 'sql-injection' | 'n-plus-one' | 'unbounded-write' | 'destructive-statement' | 'select-star' | 'api';
export type FindingSeverity = 'error' | 'warning' | 'info';

export interface TextEditWire {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

export interface FixWire {
  title: string;
  kind: 'parameterize' | 'eager-load' | 'batch' | 'suppress' | 'ai' | 'error-helper' | 'idempotency' | 'validation';
  isPreferred?: boolean;
  edits: TextEditWire[];
}

export interface RelatedLocation {
  path: string;
  line: number;
  column: number;
  message: string;
}

/** One element of `keel scan --format json`. Lines and columns are 1-based. */
export interface Finding {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  category: FindingCategory;
  code: string;
  severity: FindingSeverity;
  message: string;
  fixes: FixWire[];
  related?: RelatedLocation[];
}

// ---------------------------------------------------------------------------------------------
// SQL safety and N+1 detection (issue 6; owner: SQL-safety engineer). RequestMap entries added by
// interface merging. Rule codes: KEEL-SQL-INJECTION, KEEL-SQL-N-PLUS-ONE, KEEL-SQL-UNBOUNDED-WRITE,
// KEEL-SQL-DESTRUCTIVE, KEEL-SQL-SELECT-STAR (src/engine/sql/rules.ts).
// ---------------------------------------------------------------------------------------------

/** `keel.sql.rules`: rule code → severity, or 'off'. */
export type SqlRuleSettings = Record<string, FindingSeverity | 'off'>;

export interface SqlAnalyzeParams {
  /** Used for the language (by extension) and echoed in findings. */
  path: string;
  text: string;
  /** VS Code language id (typescript, typescriptreact, javascript, javascriptreact, python); wins over the extension. */
  languageId?: string;
  rules?: SqlRuleSettings;
}

export interface SqlScanParams {
  /** Files or folders, absolute or relative to `cwd`; folders are walked with the index's ignore rules. */
  paths: string[];
  cwd: string;
  rules?: SqlRuleSettings;
}

/** `sql/scan` result: finding paths are relative to `cwd` (posix separators). */
export interface SqlScanResult {
  findings: Finding[];
  files: number;
  ms: number;
  /** Files that could not be analysed, with the reason (unreadable, too large, binary). */
  skipped: SkippedFile[];
}

/** Structured-output request for "Explain & fix with AI" (built by the engine, sent by the LLM layer). */
export interface SqlAiFixRequest {
  tier: 'reasoning';
  taskKind: 'sql-review';
  system: string;
  prompt: string;
  /** JSON schema of the answer: { explanation, risk, patchedCode, testSuggestion }. */
  schema: Record<string, unknown>;
  /** The 1-based line range of `patchedCode` in the file (what the diff preview replaces). */
  range: { startLine: number; endLine: number };
}

// ---------------------------------------------------------------------------------------------
// "Explain & fix with AI" for a SQL finding (issue 6, through the LLM layer of issue 8).
// ---------------------------------------------------------------------------------------------

export interface SqlAiFixResult {
  explanation: string;
  risk: 'low' | 'medium' | 'high' | 'critical';
  /** Replacement for lines `range.startLine..range.endLine` of the file. */
  patchedCode: string;
  testSuggestion: string;
  range: { startLine: number; endLine: number };
  provider: ProviderId;
  model: string;
  tier: Tier;
  usage: Usage;
  costUsd: number;
}

export interface SqlRequests {
  /** Analyse one open document (on open / debounced edit). < 20 ms for a 1,000-line file. */
  'sql/analyze': { params: SqlAnalyzeParams; result: { findings: Finding[] } };
  /** Scan files/folders (Keel: Scan SQL in Workspace, `keel scan`). */
  'sql/scan': { params: SqlScanParams; result: SqlScanResult };
  /** Build the "Explain & fix with AI" request for one finding (the caller sends it through the LLM layer). */
  'sql/aiFixRequest': { params: { finding: Finding; text: string }; result: SqlAiFixRequest };
  /** Send the finding and its surrounding code to the reasoning tier with a structured-output schema. */
  'sql/aiFix': { params: { finding: Finding; text: string }; result: SqlAiFixResult };
}
