/**
 * `keel embed [--embedder ID] [--json]`: UTF-8 lines on stdin → one JSON array (the L2-normalised
 * vector) per line on stdout, in order. For debugging and for evaluating Keel's vectors with outside
 * tools. All input is validated before anything is written, so bad input never yields partial output.
 */
import { KeelError } from '../../common/errors';
import type { CliCommand } from '../command';

/** Lines per engine request: bounds memory on large inputs while keeping per-call overhead negligible. */
const BATCH = 1000;

export const embedCommand: CliCommand = {
  name: 'embed',
  network: true,
  summary: 'Embed stdin lines with an embedder',
  usage: 'keel embed [--embedder ID] [--local-only] [--timeout S] [--json] < lines.txt',
  options: {
    embedder: { type: 'string', description: 'Embedder id: keel-code (default), openai:<model>[@dims], openai-compatible:<model>.' },
  },
  async run(args, io) {
    const embedder = args.values.embedder;
    if (embedder !== undefined && (typeof embedder !== 'string' || embedder.trim() === '')) {
      throw new KeelError('INVALID_PARAMS', '--embedder needs an id, e.g. keel-code or openai:text-embedding-3-small');
    }
    const lines = decodeLines(await io.readStdin());
    let id = '';
    let dims = 0;
    for (let start = 0; start < lines.length; start += BATCH) {
      const result = await io.call('embed/texts', { texts: lines.slice(start, start + BATCH), ...(embedder ? { embedder } : {}) });
      id = result.embedder;
      dims = result.dimensions;
      io.out(result.vectors.map((v) => JSON.stringify(v)).join('\n') + (result.vectors.length ? '\n' : ''));
    }
    if (!args.values.json) io.err(`embedded ${lines.length} line${lines.length === 1 ? '' : 's'}${id ? ` with ${id} (${dims} dims)` : ''}\n`);
    return 0;
  },
};

/**
 * Splits stdin into lines (LF or CRLF; a final newline does not add an empty line) and decodes each
 * as strict UTF-8, naming the first offending line. An empty line embeds to the zero vector.
 */
export function decodeLines(input: Buffer): string[] {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const lines: string[] = [];
  let start = 0;
  let lineNo = 1;
  const push = (end: number): void => {
    let slice = input.subarray(start, end);
    if (slice.length && slice[slice.length - 1] === 0x0d) slice = slice.subarray(0, slice.length - 1);
    try {
      lines.push(decoder.decode(slice));
    } catch {
      throw new KeelError('BAD_INPUT', `stdin line ${lineNo} is not valid UTF-8; nothing was embedded.`);
    }
    if (lines[lines.length - 1].includes('\0')) throw new KeelError('BAD_INPUT', `stdin line ${lineNo} contains a NUL byte (binary input?); nothing was embedded.`);
  };
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 0x0a) {
      push(i);
      start = i + 1;
      lineNo++;
    }
  }
  if (start < input.length) push(input.length);
  return lines;
}
