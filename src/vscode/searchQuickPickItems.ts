/**
 * The pure half of the search quick pick (no `vscode` import, so it is unit-tested in plain Node):
 * how a search hit is shown — symbol, path:line, a one-line snippet — and which file it opens in a
 * single- or multi-root workspace.
 */
import type { SearchHit } from '../protocol';

export interface HitItem {
  label: string;
  description: string;
  detail: string;
  hit: SearchHit;
}

const KIND_ICONS: Array<[RegExp, string]> = [
  [/^(?:markdown|text|plaintext|restructuredtext)$/, '$(book)'],
  [/^sql$/, '$(database)'],
];

export function hitItem(hit: SearchHit): HitItem {
  const file = hit.path.split('/').pop() ?? hit.path;
  const icon = KIND_ICONS.find(([re]) => re.test(hit.language ?? ''))?.[1] ?? (hit.symbol ? '$(symbol-method)' : '$(file-code)');
  return {
    label: `${icon} ${hit.symbol ? hit.symbol : file}`,
    description: `${hit.path}:${hit.startLine}${hit.endLine > hit.startLine ? `-${hit.endLine}` : ''}`,
    detail: snippet(hit.preview ?? ''),
    hit,
  };
}

/** The first meaningful line(s) of a preview, squeezed to one line (QuickPick details are single-line). */
export function snippet(preview: string, max = 160): string {
  const lines = preview
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^[{}()[\];,]+$/.test(l) && !/^(?:\/\/|#|\*|\/\*)/.test(l));
  const text = lines.slice(0, 2).join('  ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface FolderRef {
  name: string;
  fsPath: string;
}

/**
 * Where a hit's path points. With one folder paths are relative to it; with several the engine
 * prefixes the folder's name (see IndexSource.displayPath), which picks the folder.
 */
export function resolveHitPath(hitPath: string, folders: readonly FolderRef[]): { folder: FolderRef; relative: string } | undefined {
  if (folders.length === 0) return undefined;
  if (folders.length === 1) return { folder: folders[0], relative: hitPath };
  const [first, ...rest] = hitPath.split('/');
  const folder = folders.find((f) => f.name === first);
  return folder ? { folder, relative: rest.join('/') } : { folder: folders[0], relative: hitPath };
}
