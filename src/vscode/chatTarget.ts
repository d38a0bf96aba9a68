/**
 * Where a chat question goes, as pure functions (no `vscode` import; unit-tested): which workspace
 * folder it is about, and which model answers `@keel`.
 */
import * as path from 'node:path';

/**
 * The folder that holds the active editor's file — in a multi-root workspace that is the code the user
 * is looking at — otherwise the first folder. Paths compare whole: /ws/api-v2 is not inside /ws/api.
 */
export function chooseRoot(folders: readonly string[], activeFile: string | undefined): string | undefined {
  if (activeFile) {
    // The deepest folder wins when folders nest.
    const holding = folders.filter((f) => activeFile === f || activeFile.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
    if (holding.length) return holding.reduce((a, b) => (b.length > a.length ? b : a));
  }
  return folders[0];
}

/**
 * The model picked in the Chat view's model picker answers (through the vscode-lm bridge); hosts
 * without a picker (older APIs) leave the choice to keel.provider.
 */
export function pickedModel(request: { model?: { id: string } }): { provider?: 'vscode-lm'; model?: string } {
  const id = request.model?.id;
  return id ? { provider: 'vscode-lm', model: id } : {};
}
