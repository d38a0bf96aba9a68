/**
 * Metadata filters for search: languages and path globs. Globs are the familiar subset — `*` (within a
 * path segment), `**` (any number of segments), `?`, `{a,b}` and character classes — compiled once per
 * query to a RegExp. A glob without a slash matches the file name anywhere (`*.ts`), like .gitignore.
 */
import { KeelError } from '../../common/errors';
import type { SourceChunk } from './source';

export interface SearchFilters {
  /** Keep only chunks of these languages (the chunker's names: typescript, python, markdown …). */
  language?: string | string[];
  /** Keep only paths matching at least one glob; a leading `!` excludes instead. */
  path?: string | string[];
}

export function globToRegExp(glob: string): RegExp {
  if (glob.length > 500) throw new KeelError('INVALID_PARAMS', 'path glob is too long');
  const anywhere = !glob.includes('/');
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += /[.+^$()|\\]/.test(c) ? `\\${c}` : c;
  }
  if (braces > 0) throw new KeelError('INVALID_PARAMS', `unbalanced braces in path glob "${glob}"`);
  const body = glob.startsWith('/') ? re.slice(1) : re;
  return new RegExp(anywhere ? `(?:^|/)${body}$` : `^${body}(?:/.*)?$`);
}

/** A predicate for the filters, or undefined when nothing is filtered (the fast path). */
export function chunkFilter(filters: SearchFilters | undefined): ((chunk: SourceChunk) => boolean) | undefined {
  const languages = toList(filters?.language).map((l) => l.toLowerCase());
  const globs = toList(filters?.path);
  if (languages.length === 0 && globs.length === 0) return undefined;
  const include = globs.filter((g) => !g.startsWith('!')).map(globToRegExp);
  const exclude = globs.filter((g) => g.startsWith('!')).map((g) => globToRegExp(g.slice(1)));
  const langSet = new Set(languages);
  return (chunk) =>
    (langSet.size === 0 || langSet.has(chunk.language.toLowerCase())) &&
    (include.length === 0 || include.some((r) => r.test(chunk.path))) &&
    !exclude.some((r) => r.test(chunk.path));
}

function toList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => v.trim()).filter(Boolean);
}
