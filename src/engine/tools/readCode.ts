/** read_code: lines of one workspace file, bounded, after the path policy (no secrets, no ignored files, nothing outside). */
import { z } from 'zod';
import { KeelError } from '../../common/errors';
import { readSourceFile } from '../workspace/sourceFile';
import { clip, LIMITS } from './limits';
import { resolveWorkspacePath } from './pathPolicy';
import { defineTool } from './types';
import { configuredExcludes } from './workspaceAccess';
import { fence } from './searchCode';

const MAX_FILE_BYTES = 1024 * 1024;
const DEFAULT_LINES = 200;

const input = z
  .object({
    path: z.string().min(1).max(1024).describe('Workspace-relative file path, as search_code or find_symbol returned it.'),
    startLine: z.number().int().min(1).optional().describe('First line, 1-based (default 1).'),
    endLine: z.number().int().min(1).optional().describe(`Last line, inclusive (default startLine + ${DEFAULT_LINES - 1}; at most ${LIMITS.readLines} lines per call).`),
  })
  .strict()
  .refine((a) => a.endLine === undefined || a.endLine >= (a.startLine ?? 1), { message: 'endLine must not be before startLine', path: ['endLine'] });

const output = z.object({
  path: z.string(),
  startLine: z.number().int(),
  endLine: z.number().int(),
  totalLines: z.number().int(),
  text: z.string(),
  truncated: z.boolean(),
});

export const readCode = defineTool({
  name: 'read_code',
  title: 'Read code',
  description: `Read lines of a file in this workspace (at most ${LIMITS.readLines} lines per call). Secret files (.env, keys), ignored files and paths outside the workspace are refused.`,
  input,
  output,
  async run(args, ctx) {
    const resolved = await resolveWorkspacePath(ctx.roots, args.path, { exclude: configuredExcludes(ctx) });
    const read = await readSourceFile(resolved.abs, MAX_FILE_BYTES);
    if (!read.ok) throw new KeelError(read.reason.startsWith('too large') ? 'FILE_TOO_LARGE' : 'FILE_UNREADABLE', `${resolved.display}: ${read.reason}`);
    const lines = read.text.split('\n');
    const start = Math.min(args.startLine ?? 1, Math.max(lines.length, 1));
    const wanted = args.endLine ?? start + DEFAULT_LINES - 1;
    let end = Math.min(wanted, lines.length, start + LIMITS.readLines - 1);
    const clipped = clip(lines.slice(start - 1, end).join('\n'), LIMITS.readChars);
    if (clipped.truncated) end = start + clipped.text.split('\n').length - 1;
    const structured = { path: resolved.display, startLine: start, endLine: end, totalLines: lines.length, text: clipped.text, truncated: end < Math.min(wanted, lines.length) };
    const more = structured.truncated ? `\n(cut at line ${end}; ask again from line ${end + 1})` : '';
    return { structured, text: `${resolved.display}:${start}-${end} of ${lines.length}\n${fence(numbered(clipped.text, start))}${more}` };
  },
});

function numbered(text: string, first: number): string {
  const lines = text.split('\n');
  const width = String(first + lines.length - 1).length;
  return lines.map((line, i) => `${String(first + i).padStart(width)}  ${line}`).join('\n');
}
