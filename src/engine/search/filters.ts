/**
 * Metadata filters for search: languages and path globs (picomatch syntax: `*`, `**`, `?`, `{a,b}`,
 * character classes), compiled once per query. A glob without a slash matches the file name anywhere
 * (`*.ts`), like .gitignore.
 */
import picomatch from 'picomatch';
import { KeelError } from '../../common/errors';
import type { SourceChunk } from './source';

export interface SearchFilters {
  /** Keep only chunks of these languages (the chunker's names: typescript, python, markdown …). */
  language?: string | string[];
  /** Keep only paths matching at least one glob; a leading `!` excludes instead. */
  path?: string | string[];
}

/**
 * A predicate for one path glob (picomatch, the matcher fast-glob and chokidar use), with .gitignore's
 * two conventions on top: a glob without a slash matches the file name anywhere, and a folder matches
 * what is inside it. A leading `/` only anchors (paths are relative to the workspace root).
 */
export function globMatcher(glob: string): (path: string) => boolean {
  if (glob.length > 500) throw new KeelError('INVALID_PARAMS', 'path glob is too long');
  // picomatch reads an unclosed `{` literally; a user who typed one meant a set and should hear so.
  let depth = 0;
  for (const c of glob) depth = Math.max(0, depth + (c === '{' ? 1 : c === '}' ? -1 : 0));
  if (depth > 0) throw new KeelError('INVALID_PARAMS', `unbalanced braces in path glob "${glob}"`);
  // Parentheses are literal (Next.js route groups: app/(shop)/page.tsx), not picomatch regex groups;
  // `[!ab]` is the shell's negated class, which picomatch spells `[^ab]`.
  const pattern = (glob.startsWith('/') ? glob.slice(1) : glob).replace(/[()]/g, '\\$&').replace(/\[!/g, '[^');
  return picomatch([pattern, `${pattern}/**`], { dot: true, basename: !glob.includes('/') });
}

/** A predicate for the filters, or undefined when nothing is filtered (the fast path). */
export function chunkFilter(filters: SearchFilters | undefined): ((chunk: SourceChunk) => boolean) | undefined {
  const languages = toList(filters?.language).map((l) => l.toLowerCase());
  const globs = toList(filters?.path);
  if (languages.length === 0 && globs.length === 0) return undefined;
  const include = globs.filter((g) => !g.startsWith('!')).map(globMatcher);
  const exclude = globs.filter((g) => g.startsWith('!')).map((g) => globMatcher(g.slice(1)));
  const langSet = new Set(languages);
  return (chunk) =>
    (langSet.size === 0 || langSet.has(chunk.language.toLowerCase())) &&
    (include.length === 0 || include.some((matches) => matches(chunk.path))) &&
    !exclude.some((matches) => matches(chunk.path));
}

function toList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter(Boolean);
}
