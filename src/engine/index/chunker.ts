/**
 * The chunker's front door: picks the tree-sitter chunker when Keel has a grammar for the file and
 * the structural/line fallback otherwise. If a grammar fails to load or parse (a WASM problem, not a
 * syntax error — those parse fine), the file is still chunked by lines rather than dropped.
 */
import { grammarForPath } from '../syntax/treeSitter';
import type { Chunk } from './chunk';
import { chunkText, textLanguageForPath } from './textChunker';
import { chunkWithGrammar } from './treeSitterChunker';

export type { Chunk } from './chunk';

/** Grammars that failed once: say so once (a systematic failure must not hide behind the fallback). */
const failedGrammars = new Set<string>();

export async function chunkFile(filePath: string, text: string): Promise<Chunk[]> {
  const grammar = grammarForPath(filePath);
  if (grammar) {
    try {
      return await chunkWithGrammar(grammar, text);
    } catch (error) {
      if (!failedGrammars.has(grammar)) {
        failedGrammars.add(grammar);
        process.emitWarning(`the ${grammar} grammar failed (${(error as Error).message}); ${grammar} files are chunked by lines`, { code: 'KEEL_GRAMMAR_FALLBACK' });
      }
      return chunkText('text', text).map((c) => ({ ...c, language: grammar }));
    }
  }
  return chunkText(textLanguageForPath(filePath), text);
}
