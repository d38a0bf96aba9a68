/**
 * Shared harness for the SQL analyzer's sources-and-sinks table specs (one per language): each table
 * row carries a `bad` example that must be reported and a tricky `good` one that must not.
 */
import * as assert from 'node:assert/strict';
import { analyzeSource } from '../../src/engine/sql/analyze';

/** The lines of the findings with this code in `text`, analyzed as the file `path`. */
export async function findingLines(code: string, text: string, path: string): Promise<number[]> {
  return (await analyzeSource({ path, text })).filter((f) => f.code === code).map((f) => f.line);
}

interface Example {
  bad: string;
  good: string;
}

/** One `describe` with an `it` per sink row and per source row of a language's tables. */
export function describeSinksAndSources(
  title: string,
  sinks: ReadonlyArray<Example & { library: string }>,
  sources: ReadonlyArray<Example & { framework: string }>,
  sourceClaim: string,
  injections: (text: string) => Promise<number[]>,
): void {
  const check = async (e: Example): Promise<void> => {
    assert.ok((await injections(e.bad)).length > 0, `bad: ${e.bad}`);
    assert.deepEqual(await injections(e.good), [], `good: ${e.good}`);
  };
  describe(title, () => {
    for (const e of sinks) it(`sink ${e.library}: the bad example is reported, the good one is not`, () => check(e));
    for (const s of sources) it(`source ${s.framework}: ${sourceClaim}`, () => check(s));
  });
}
