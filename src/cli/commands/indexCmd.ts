/**
 * `keel index [dir] [--store DIR] [--json]`: build or incrementally update the index of `dir`.
 * --json prints `{ files, chunks, skipped, ms, skippedReasons }` (`skipped` stays the total; the
 * breakdown by reason was added after); progress goes to stderr. `--dir DIR` is
 * accepted too, as `keel search` and `keel ask` spell it.
 */
import * as path from 'node:path';
import { KeelError } from '../../common/errors';
import type { IndexProgress } from '../../protocol';
import type { CliCommand } from '../command';
import { stringArg } from '../args';
import { directoryArg, dirOption, STORE_OPTION, storeArg } from '../dirArg';

export const indexCommand: CliCommand = {
  name: 'index',
  network: true,
  summary: 'Build or update the index of a directory',
  usage: 'keel index [dir | --dir DIR] [--store DIR] [--embedder ID] [--max-file-kb N] [--follow-symlinks-outside] [--include-generated] [--local-only] [--timeout S] [--json]',
  options: {
    dir: dirOption('index'),
    store: STORE_OPTION,
    embedder: { type: 'string', description: 'Embedder id (default keel-code).' },
    'max-file-kb': { type: 'string', description: 'Skip files larger than this (default 1024).' },
    'follow-symlinks-outside': { type: 'boolean', description: 'Follow symlinks that lead out of the directory (default: skip them).' },
    'include-generated': { type: 'boolean', description: 'Index vendored folders and minified / generated files too (default: skip them, listed by `keel status`).' },
  },
  async run(args, io) {
    const dir = directoryArg(args, io.cwd);
    const json = args.values.json === true;
    const maxKB = args.values['max-file-kb'] === undefined ? undefined : Number(args.values['max-file-kb']);
    let last = 0;
    const summary = await io.call(
      'index/build',
      {
        roots: [dir],
        store: storeArg(args, io.cwd),
        embedder: stringArg(args, 'embedder'),
        maxFileSizeKB: maxKB,
        followSymlinksOutside: args.values['follow-symlinks-outside'] === true ? true : undefined,
        includeGenerated: args.values['include-generated'] === true ? true : undefined,
      },
      {
        onNotify: (method, params) => {
          if (method !== 'index/progress') return;
          const p = params as IndexProgress;
          if (p.message) io.err(`${p.message}\n`);
          const now = Date.now();
          if (!json && p.total > 0 && (now - last > 500 || p.done === p.total)) {
            last = now;
            io.err(`${p.phase}: ${p.done}/${p.total}\n`);
          }
        },
      },
    );
    if (json) {
      const { files, chunks, skipped, ms, skippedReasons, team } = summary;
      io.out(`${JSON.stringify({ files, chunks, skipped, ms, skippedReasons: skippedReasons ?? {}, ...(team ? { team } : {}) })}\n`);
    } else {
      const why = Object.entries(summary.skippedReasons ?? {}).map(([k, n]) => `${n} ${k}`).join(', ');
      io.out(`Indexed ${summary.files} files (${summary.chunks} chunks, ${summary.skipped} skipped${why ? `: ${why}` : ''}) in ${summary.ms} ms.\n`);
      const t = summary.team;
      if (t) io.out(`Published ${t.repo}@${t.branch} to ${t.store} as commit ${t.commit}: ${t.uploaded} files uploaded, ${t.reused} shared, ${t.chunks} chunks, ${t.ms} ms.\n`);
    }
    return 0;
  },
};
