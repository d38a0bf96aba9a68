/** index_status: what Keel's index of this workspace holds, so an agent knows whether search results are complete. */
import { z } from 'zod';
import { call } from '../engine';
import { KeelError } from '../../common/errors';
import { LIMITS } from './limits';
import { defineTool } from './types';

const output = z.object({
  indexed: z.boolean(),
  files: z.number().int(),
  chunks: z.number().int(),
  bytes: z.number().int(),
  embedder: z.string().nullable(),
  lastUpdated: z.string().nullable(),
  skipped: z.number().int(),
  skippedFiles: z.array(z.object({ path: z.string(), reason: z.string() })),
});

export const indexStatus = defineTool({
  name: 'index_status',
  title: 'Index status',
  description: 'How much of this workspace Keel has indexed: files, chunks, the embedder, when it was last updated, and which files were skipped and why.',
  input: z.object({}).strict(),
  output,
  async run(_args, ctx) {
    let status;
    try {
      status = await call(ctx.engine, 'index/status', { roots: [...ctx.roots], store: ctx.store }, { signal: ctx.signal });
    } catch (error) {
      if (error instanceof KeelError && error.code === 'INDEX_NOT_FOUND') {
        const empty = { indexed: false, files: 0, chunks: 0, bytes: 0, embedder: null, lastUpdated: null, skipped: 0, skippedFiles: [] };
        return { structured: empty, text: 'This workspace has no Keel index yet; search_code builds it on first use.' };
      }
      throw error;
    }
    const structured = {
      indexed: status.lastUpdated !== null,
      files: status.files,
      chunks: status.chunks,
      bytes: status.bytes,
      embedder: status.embedder,
      lastUpdated: status.lastUpdated,
      skipped: status.skipped.length,
      skippedFiles: status.skipped.slice(0, LIMITS.skippedListed),
    };
    const text = `${structured.files} files, ${structured.chunks} chunks indexed (${structured.embedder ?? 'keyword-only'}), updated ${structured.lastUpdated ?? 'never'}; ${structured.skipped} skipped${
      structured.skipped ? `: ${structured.skippedFiles.map((s) => `${s.path} (${s.reason})`).join(', ')}${structured.skipped > structured.skippedFiles.length ? ', …' : ''}` : ''
    }.`;
    return { structured, text };
  },
});
