/** `Keel: Show Egress Log`: what left this machine, when, to whom and why — as a readable table. */
import * as vscode from 'vscode';
import type { EgressLogEntry } from '../protocol';
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';

export async function showEgressLog(ctx: KeelContext): Promise<void> {
  try {
    const log = await ctx.engine.request('egress/log', { limit: 500 });
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: render(log.entries, log.localOnly, log.file) });
    await vscode.window.showTextDocument(doc, { preview: true });
  } catch (error) {
    const e = toKeelError(error);
    void vscode.window.showErrorMessage(`Keel: could not read the egress log: ${e.message} [${e.code}]`);
  }
}

function render(entries: EgressLogEntry[], localOnly: boolean, file: string | null): string {
  const lines = [
    '# Keel egress log',
    '',
    `Local-only mode: **${localOnly ? 'on' : 'off'}**. ${entries.length} most recent outbound calls, newest last. Payloads and keys are never recorded.`,
    file ? `\nFile: \`${file}\`` : '',
    '',
    '| time | provider | host | model | purpose | bytes | tokens in/out | redactions | files | outcome |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const e of entries) {
    const tokens = e.tokens ? `${e.tokens.input + e.tokens.cacheRead + e.tokens.cacheWrite}/${e.tokens.output}` : '—';
    const files = e.files.length ? e.files.slice(0, 5).map((f) => `\`${f}\``).join(', ') + (e.files.length > 5 ? ` +${e.files.length - 5}` : '') : '—';
    lines.push(`| ${e.time} | ${e.provider} | ${e.host} | ${e.model ?? '—'} | ${e.purpose} | ${e.bytes} | ${tokens} | ${e.redactions} | ${files} | ${e.outcome} |`);
  }
  if (!entries.length) lines.push('| — | | | | | | | | | nothing has left this machine |');
  return `${lines.join('\n')}\n`;
}
