/**
 * `keel status [dir | --dir DIR] [--store DIR] [--json]`: what an index holds, and which files were
 * skipped and why. The directory is spelled as for `keel index`; `--store` names the index folder itself.
 */
import * as path from 'node:path';
import { countSkipKinds } from '../../engine/workspace/fileGuard';
import type { SkippedFile } from '../../protocol';
import type { CliCommand } from '../command';
import { directoryArg, dirOption, storeArg } from '../dirArg';

function skipBreakdown(skipped: readonly SkippedFile[]): string {
  const parts = Object.entries(countSkipKinds(skipped)).map(([kind, n]) => `${n} ${kind}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'Show what an index holds',
  usage: 'keel status [dir | --dir DIR] [--store DIR] [--json]',
  options: {
    dir: dirOption('show the index of'),
    store: { type: 'string', description: 'Index folder (default: the one `keel index` uses for dir).' },
  },
  async run(args, io) {
    const dir = directoryArg(args, io.cwd);
    const store = storeArg(args, io.cwd);
    const status = await io.call('index/status', { store, roots: store ? undefined : [dir] });
    if (args.values.json === true) {
      io.out(`${JSON.stringify(status)}\n`);
      return 0;
    }
    const lines = [
      `store:        ${status.store}`,
      `roots:        ${status.roots.join(', ')}`,
      `files:        ${status.files}`,
      `chunks:       ${status.chunks}`,
      `size:         ${(status.bytes / 1024 / 1024).toFixed(1)} MB`,
      `embedder:     ${status.embedder ?? 'none (keyword search only)'}`,
      `last update:  ${status.lastUpdated ?? 'never'}`,
      `skipped:      ${status.skipped.length}${skipBreakdown(status.skipped)}`,
      ...status.skipped.slice(0, 50).map((s) => `  ${s.path} — ${s.kind ? `[${s.kind}] ` : ''}${s.reason}`),
    ];
    if (status.skipped.length > 50) lines.push(`  … and ${status.skipped.length - 50} more (--json lists all)`);
    const byDefault = status.skipped.filter((s) => s.kind === 'vendored' || (s.kind === 'generated')).length;
    if (byDefault > 0) {
      lines.push(`${byDefault} vendored / minified / generated skipped by default: \`keel index --include-generated\` (editor: keel.index.includeGenerated) indexes them`);
    }
    io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};
