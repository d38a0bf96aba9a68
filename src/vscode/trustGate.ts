/**
 * The trust gate in the editor. When Keel is about to write AI-generated code into a file:
 * - the code is classified (`review/classify`); in a high-radius area (auth, payments, personal data,
 *   crypto/secrets, migrations) the user sees what it touches and must acknowledge it explicitly — the
 *   acknowledgement goes into the provenance ledger — or can ask for tests first ("Generate tests for
 *   this change" proposes a test file as a diff, never written silently);
 * - once written, the write is recorded in the provenance ledger (`provenance/record`).
 * Files outside a git work tree (untitled documents) have no ledger: nothing is recorded for them.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AiWriteMeta, AreaEvidence, BlastArea, ClassifyResult } from '../protocol';
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';

export type { AiWriteMeta } from '../protocol';

export const ACKNOWLEDGE = 'Acknowledge & Apply';
export const GENERATE_TESTS = 'Generate Tests for This Change';

let active: KeelContext | undefined;

export function registerTrustGate(ctx: KeelContext): void {
  active = ctx;
  ctx.disposables.push({ dispose: () => (active = undefined) });
}

const AREA_NAMES: Record<BlastArea, string> = {
  auth: 'authentication/authorisation',
  payments: 'payments/money',
  'personal-data': 'personal data',
  'crypto-secrets': 'cryptography/secrets',
  migrations: 'schema migrations/destructive data changes',
  concurrency: 'concurrency/transactions',
};

export function describeEvidence(result: ClassifyResult): string {
  return result.areas
    .map((a) => {
      const why = result.evidence.filter((e) => e.area === a).slice(0, 2).map(evidenceText).join('; ');
      return `${AREA_NAMES[a]} (${why})`;
    })
    .join(', ');
}

function evidenceText(e: AreaEvidence): string {
  return e.kind === 'path' ? `path ${e.text}` : e.kind === 'import' ? `imports ${e.text}` : `${e.kind}: ${e.text.slice(0, 60)}`;
}

/**
 * Before writing `newText` over `range` of `document`: 'proceed' (not high-radius, or acknowledged —
 * then `acknowledged` lists the areas), or 'cancel'. With no engine (tests of other surfaces) it proceeds.
 */
export async function gateAiWrite(
  document: vscode.TextDocument,
  range: vscode.Range,
  newText: string,
): Promise<{ decision: 'proceed' | 'cancel'; acknowledged?: BlastArea[] }> {
  const ctx = active;
  if (!ctx) return { decision: 'proceed' };
  let result: ClassifyResult;
  try {
    result = await ctx.engine.request('review/classify', { path: classifiedPath(document.uri), text: newText, fileText: document.getText() });
  } catch (error) {
    ctx.log.warn(`trust gate: could not classify the change: ${toKeelError(error).message}`);
    return { decision: 'proceed' };
  }
  if (!result.high) return { decision: 'proceed' };
  for (;;) {
    ctx.log.info(`trust gate: asking for acknowledgement of ${result.areas.join(', ')} in ${vscode.workspace.asRelativePath(document.uri, false)}`);
    const choice = await vscode.window.showWarningMessage(
      `Keel: this AI-written change touches ${describeEvidence(result)}. Changes here need tests and a careful review: acknowledge that you reviewed it to apply.`,
      ACKNOWLEDGE,
      GENERATE_TESTS,
      'Cancel',
    );
    if (choice === ACKNOWLEDGE) return { decision: 'proceed', acknowledged: result.areas };
    if (choice !== GENERATE_TESTS) return { decision: 'cancel' };
    await proposeTests(ctx, document, range, newText, result);
  }
}

/** The path as the classifier should read it: workspace-relative; outside the workspace, its last folders only (a home folder's name says nothing about the code). */
function classifiedPath(uri: vscode.Uri): string {
  const rel = vscode.workspace.asRelativePath(uri, false);
  return path.isAbsolute(rel) ? rel.split(/[\\/]/).slice(-4).join('/') : rel;
}

/** Record a write Keel made (and its acknowledgement) in the provenance ledger. Never throws: a failure is shown. */
export async function recordAiWrite(document: vscode.TextDocument, startLine: number, endLine: number, text: string, meta: AiWriteMeta | undefined, acknowledged?: BlastArea[]): Promise<void> {
  const ctx = active;
  if (!ctx || document.uri.scheme !== 'file') return;
  const base = {
    root: path.dirname(document.uri.fsPath), path: document.uri.fsPath, startLine, endLine, text,
    feature: meta?.feature ?? 'unknown', provider: meta?.provider ?? 'unknown', model: meta?.model ?? 'unknown', tier: meta?.tier ?? 'unknown',
    ...(meta?.requestId ? { requestId: meta.requestId } : {}), ...(meta?.prompt ? { prompt: meta.prompt } : {}),
  };
  try {
    await ctx.engine.request('provenance/record', base);
    if (acknowledged) await ctx.engine.request('provenance/record', { ...base, kind: 'acknowledgement', areas: acknowledged });
  } catch (error) {
    const e = toKeelError(error);
    // Outside a git work tree there is no ledger to keep; anything else the user must know about.
    if (e.code === 'GIT_FAILED') ctx.log.info(`provenance: not recorded (${e.message})`);
    else void vscode.window.showWarningMessage(`Keel: the AI-written change was applied but could not be recorded in the provenance ledger: ${e.message} [${e.code}]`);
  }
}

/** Where a test for `file` goes, by the conventions of its language. */
export function testPathFor(file: string): string {
  const dir = path.dirname(file);
  const ext = path.extname(file);
  const stem = path.basename(file, ext);
  if (ext === '.py') return path.join(dir, `test_${stem}.py`);
  if (ext === '.go') return path.join(dir, `${stem}_test.go`);
  return path.join(dir, `${stem}.test${ext}`);
}

/**
 * Propose tests for the change as a diff against the test file (created only if the user applies it).
 * The cases come from what put the change in its areas, one per area, each naming what it must prove.
 */
async function proposeTests(ctx: KeelContext, document: vscode.TextDocument, range: vscode.Range, newText: string, result: ClassifyResult): Promise<void> {
  const file = document.uri.fsPath;
  const target = vscode.Uri.file(testPathFor(file));
  let existing = '';
  try {
    existing = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
  } catch {
    /* a new test file */
  }
  const proposal = existing + testSkeleton(path.basename(file), range.start.line + 1, newText, result, path.extname(file));
  const { proposeFileDiff } = await import('./chatActions');
  const outcome = await proposeFileDiff(target, existing, proposal, `Write the proposed tests to ${vscode.workspace.asRelativePath(target, false)}?`);
  ctx.log.info(`trust gate: proposed tests for ${vscode.workspace.asRelativePath(document.uri, false)}: ${outcome}`);
}

const CASES: Record<BlastArea, string> = {
  auth: 'is refused for an unauthenticated or unauthorised caller',
  payments: 'charges the exact amount once (no rounding, no double charge on retry)',
  'personal-data': 'returns or logs no personal data the caller may not see',
  'crypto-secrets': 'never exposes the secret and rejects a tampered value',
  migrations: 'migrates existing rows without loss and can be rolled back',
  concurrency: 'keeps data consistent when run twice concurrently',
};

function testSkeleton(fileName: string, line: number, newText: string, result: ClassifyResult, ext: string): string {
  const name = /\b(?:function|def|func|class)\s+([A-Za-z_]\w*)/.exec(newText)?.[1] ?? `${fileName}:${line}`;
  const cases = result.areas.map((a) => `${name} ${CASES[a]}`);
  if (ext === '.py') return `\n\n${cases.map((c) => `def test_${c.replace(/\W+/g, '_').toLowerCase()}():\n    raise NotImplementedError("Keel proposal: ${c}")\n`).join('\n')}`;
  return `\n${cases.map((c) => `it.todo(${JSON.stringify(c)});`).join('\n')}\n`;
}
