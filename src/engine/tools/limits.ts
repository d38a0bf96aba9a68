/**
 * Bounds on what a tool returns. An agent's context is small and shared with everything else it
 * reads; one tool answer must never crowd it out, whatever the repository looks like.
 */
export const LIMITS = {
  /** Hard cap on any tool's text output. */
  textChars: 16_000,
  searchTop: 20,
  searchSnippetLines: 30,
  searchSnippetChars: 1_500,
  readLines: 400,
  readChars: 24_000,
  symbolDefinitions: 20,
  symbolReferences: 50,
  symbolCandidates: 200,
  sqlFindings: 50,
  sqlPaths: 20,
  fixTextChars: 2_000,
  skippedListed: 20,
} as const;

/** Cuts `text` to `max` characters at a line end when it can, saying that it did. */
export function clip(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const cut = text.lastIndexOf('\n', max);
  return { text: text.slice(0, cut > max / 2 ? cut : max), truncated: true };
}
