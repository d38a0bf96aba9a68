/**
 * The trust gate (issue 19): blast-radius review of a git change (`keel review`) and the provenance
 * ledger of AI-written code Keel put into files (`keel provenance`).
 */
import type { ProviderId, Tier, Usage } from './chat';

/** The areas whose changes need tests and a careful review. Stable strings: CLI JSON and SARIF carry them. */
export type BlastArea = 'auth' | 'payments' | 'personal-data' | 'crypto-secrets' | 'migrations' | 'concurrency';

export type ReviewSeverity = 'high' | 'medium' | 'low';

/** Why a hunk is in an area: the rule that fired and the text it fired on. */
export interface AreaEvidence {
  area: BlastArea;
  kind: 'path' | 'import' | 'file' | 'decorator' | 'identifier' | 'ddl' | 'money-type' | 'call';
  /** What matched: a path segment, an import, a line of the change. */
  text: string;
  /** 1-based line in the new file (0 for a path or file-level import). */
  line: number;
}

export interface ReviewHunk {
  path: string;
  /** 1-based line range in the new file; a pure deletion is the line after which text was removed. */
  startLine: number;
  endLine: number;
  areas: BlastArea[];
  aiGenerated: boolean;
  testsTouched: boolean;
  evidence: AreaEvidence[];
  /** Symbols the hunk changes (what a test must exercise). */
  symbols: string[];
  /** Test files in the same change that exercise those symbols. */
  tests: string[];
  /** Provenance entry ids of the AI-written lines in the hunk. */
  provenance: string[];
}

export interface ReviewFinding {
  path: string;
  line: number;
  severity: ReviewSeverity;
  code: string;
  message: string;
  /** Model review of the hunk (only with a model configured). */
  rationale?: string;
  suggestedTest?: string;
}

export interface ReviewModelCall {
  provider: ProviderId;
  model: string;
  tier: Tier;
  usage: Usage;
  costUsd: number;
  hunks: number;
}

export interface ReviewResult {
  /** What was reviewed: 'staged', a commit, or a range. */
  range: string;
  hunks: ReviewHunk[];
  findings: ReviewFinding[];
  /** Set when a model reviewed the untested high-radius hunks. */
  model?: ReviewModelCall;
  /** Why the model review did not run (no provider, local-only, error), when it was asked for. */
  modelSkipped?: string;
}

export interface ReviewRunParams {
  cwd: string;
  /** A git range `A..B`, `A...B`, or one revision (that commit). Default: the staged change, else HEAD. */
  range?: string;
  /** Ask the reasoning tier about untested high-radius hunks (default: when a provider is configured). */
  llm?: boolean;
  /** Ledger file override (tests, `--ledger`). */
  ledger?: string;
}

export interface ClassifyParams {
  path: string;
  /** The code being written (the whole new text of the region). */
  text: string;
  /** The file around it, for imports. */
  fileText?: string;
}

export interface ClassifyResult {
  areas: BlastArea[];
  evidence: AreaEvidence[];
  high: boolean;
}

/** Who wrote a piece of AI code: carried from the chat turn or the AI fix to the provenance ledger. */
export interface AiWriteMeta {
  feature: string;
  provider: string;
  model: string;
  tier: string;
  requestId?: string;
  prompt?: string;
}

/** The same as the ledger keeps it: with the git user, and a request id always (empty when none). */
export interface LedgerAttribution extends Omit<AiWriteMeta, 'requestId' | 'prompt'> {
  gitUser: string;
  requestId: string;
}

/** One line of the provenance ledger, as reported. */
export interface ProvenanceEntry extends LedgerAttribution {
  v: 1;
  seq: number;
  id: string;
  kind: 'ai-write' | 'acknowledgement';
  time: string;
  promptHash: string;
  /** Only when the user opted in (`keel.provenance.recordPrompts`), secrets redacted. */
  prompt?: string;
  path: string;
  startLine: number;
  endLine: number;
  textHash: string;
  /** Hash of every line Keel wrote that is long enough to be told apart (lines holding a secret are left out). */
  lineHashes: string[];
  /** For an acknowledgement: the areas the user acknowledged. */
  areas?: BlastArea[];
  prev: string;
  hash: string;
}

export interface ProvenanceRecordParams extends AiWriteMeta {
  /** The workspace (any folder inside the git work tree). */
  root: string;
  /** The file written, absolute or relative to root. */
  path: string;
  startLine: number;
  endLine: number;
  text: string;
  kind?: 'ai-write' | 'acknowledgement';
  areas?: BlastArea[];
  ledger?: string;
}

export interface ProvenanceLine {
  path: string;
  line: number;
  entry: string;
}

export interface ProvenanceReportParams {
  root: string;
  since?: string;
  /** Glob over repository-relative paths. */
  path?: string;
  ledger?: string;
}

export interface ProvenanceIntegrity {
  ok: boolean;
  entries: number;
  /** 1-based line of the first line that breaks the chain. */
  brokenAt?: number;
  problem?: string;
  /** A last line without its newline: a write cut short by a crash, ignored. */
  tornTail: boolean;
}

export interface ProvenanceReport {
  ledger: string;
  head: string;
  integrity: ProvenanceIntegrity;
  entries: ProvenanceEntry[];
  /** Lines at HEAD that still carry AI-written text. */
  lines: ProvenanceLine[];
}

export interface TrustRequests {
  'review/run': { params: ReviewRunParams; result: ReviewResult };
  'review/classify': { params: ClassifyParams; result: ClassifyResult };
  'provenance/record': { params: ProvenanceRecordParams; result: { id: string; ledger: string } };
  'provenance/report': { params: ProvenanceReportParams; result: ProvenanceReport };
}
