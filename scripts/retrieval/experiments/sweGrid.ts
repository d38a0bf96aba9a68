/**
 * Variant selection for issue 14, on SPLIT A of the bug-report set only (split B is for reporting):
 *   tsx scripts/retrieval/experiments/sweGrid.ts [--split A] [--round N]
 * Each round's variants are listed below; every variant ever run here counts toward VARIANTS_TRIED
 * in sweReport.ts.
 */
import { parseArgs } from 'node:util';
import { createEmbedder } from '../../../src/engine/embed/registry';
import { DEFAULT_FILE_RANK, type FileRankOptions } from '../../../src/engine/search/fileRank';
import { DEFAULT_PLAN_WEIGHTS } from '../../../src/engine/search/queryPlan';
import { LocalReranker } from '../../../src/engine/search/rerank/local';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir, loadSweTasks, sharedDataDir } from '../sweDev';
import { runSwe, type SweVariant, type TaskScore } from '../sweEval';

const priors = (over: Partial<FileRankOptions['priors']>): Partial<FileRankOptions> => ({ priors: { ...DEFAULT_FILE_RANK.priors, ...over } });
const flat = { source: 1, test: 1, config: 1, docs: 1, changelog: 1, generated: 1, vendored: 1, minified: 1, lockfile: 1, locale: 1 };
const FLAT_ID1 = { tf: 'flat', identifier: 1, quoted: 0, frame: 2, path: 2 } as const;
const STRONG = { test: 0.3, docs: 0.2, config: 0.3 };
const LEGACY_PLAN = { ...DEFAULT_PLAN_WEIGHTS, docIntent: 'anywhere' } as const;
const LEGACY_FILES: Partial<FileRankOptions> = { fileBm25Weight: 0, moduleMentions: false, definitionOwners: false };
const vw = (w: number): Partial<FileRankOptions> => ({ vectorWeight: { ...DEFAULT_FILE_RANK.vectorWeight, 'bug-report': w } });

export const ROUNDS: Record<string, Array<[string, 'bm25' | 'hybrid', boolean, Record<string, unknown>]>> = {
  '1': [
    ['bm25', 'bm25', false, {}],
    ['hybrid', 'hybrid', false, {}],
    ['hybrid+rerank', 'hybrid', true, {}],
    ['h+r flat priors', 'hybrid', true, { fileRank: { priors: flat } }],
    ['h+r test.3 docs.2 cfg.3', 'hybrid', true, { fileRank: priors({ test: 0.3, docs: 0.2, config: 0.3 }) }],
    ['h+r vec.5', 'hybrid', true, { fileRank: vw(0.5) }],
    ['h+r vec.25', 'hybrid', true, { fileRank: vw(0.25) }],
    ['h+r decay max', 'hybrid', true, { fileRank: { bm25Decay: [1] } }],
    ['h+r decay 5', 'hybrid', true, { fileRank: { bm25Decay: [1, 0.5, 0.25, 0.125, 0.0625] } }],
    ['h+r k60', 'hybrid', true, { fileRank: { k: 60 } }],
    ['h+r no plan', 'hybrid', true, { plan: false }],
    ['h+r rerankFile.3', 'hybrid', true, { rerankFileWeight: 0.3 }],
    ['h+r rerankFile1', 'hybrid', true, { rerankFileWeight: 1 }],
  ],
  // round 2: round 1 said the plan's term weighting hurt, kind priors and a lower vector weight helped
  '2': [
    ['noplan strong', 'hybrid', true, { plan: false, fileRank: priors(STRONG) }],
    ['noplan strong vec.5', 'hybrid', true, { plan: false, fileRank: { ...priors(STRONG), ...vw(0.5) } }],
    ['noplan strong vec.25', 'hybrid', true, { plan: false, fileRank: { ...priors(STRONG), ...vw(0.25) } }],
    ['noplan strong k60', 'hybrid', true, { plan: false, fileRank: { ...priors(STRONG), k: 60 } }],
    ['noplan strong vec.5 k60', 'hybrid', true, { plan: false, fileRank: { ...priors(STRONG), ...vw(0.5), k: 60 } }],
    ['plan paths only vec.5', 'hybrid', true, { plan: { tf: 'flat', identifier: 0, quoted: 0, frame: 2, path: 2 }, fileRank: { ...priors(STRONG), ...vw(0.5) } }],
    ['plan flat id1 vec.5', 'hybrid', true, { plan: { tf: 'flat', identifier: 1, quoted: 0, frame: 2, path: 2 }, fileRank: { ...priors(STRONG), ...vw(0.5) } }],
    ['plan log id0 vec.5', 'hybrid', true, { plan: { tf: 'log', identifier: 0, quoted: 0, frame: 2, path: 2 }, fileRank: { ...priors(STRONG), ...vw(0.5) } }],
    ['noplan stronger vec.5', 'hybrid', true, { plan: false, fileRank: { ...priors({ test: 0.2, docs: 0.1, config: 0.2, changelog: 0.1, locale: 0.1 }), ...vw(0.5) } }],
    ['noplan strong vec0', 'hybrid', true, { plan: false, fileRank: { ...priors(STRONG), ...vw(0) } }],
    ['noplan strong vec.5 decay5', 'hybrid', true, { plan: false, fileRank: { ...priors(STRONG), ...vw(0.5), bm25Decay: [1, 0.5, 0.25, 0.125, 0.0625] } }],
  ],
  // round 3: round 2 ran with the new chunker (every name in a chunk's symbol, routes, fields) and
  // mention boosts on; these isolate those and pick the vector weight
  '3': [
    ['noplan default mention0', 'hybrid', true, { plan: false, fileRank: { mentionBoost: 0 } }],
    ['noplan default', 'hybrid', true, { plan: false }],
    ['noplan default vec0', 'hybrid', true, { plan: false, fileRank: vw(0) }],
    ['noplan strong vec0 mention0', 'hybrid', true, { plan: false, fileRank: { ...priors(STRONG), ...vw(0), mentionBoost: 0 } }],
    ['plan flat id1 strong vec0', 'hybrid', true, { plan: FLAT_ID1, fileRank: { ...priors(STRONG), ...vw(0) } }],
    ['plan paths only strong vec0', 'hybrid', true, { plan: { ...FLAT_ID1, identifier: 0 }, fileRank: { ...priors(STRONG), ...vw(0) } }],
    ['plan flat id1 strong vec.25', 'hybrid', true, { plan: FLAT_ID1, fileRank: { ...priors(STRONG), ...vw(0.25) } }],
  ],
  // round 4 (session 4): definition-vs-mention (a file whose chunk defines a name the report calls out)
  // and the vector weight for bug reports, against the defaults in the same run
  '4': [
    ['default', 'hybrid', true, {}],
    ['def.5', 'hybrid', true, { fileRank: { definitionBoost: 0.5 } }],
    ['def1', 'hybrid', true, { fileRank: { definitionBoost: 1 } }],
    ['vec.5', 'hybrid', true, { fileRank: vw(0.5) }],
    ['def1 vec.5', 'hybrid', true, { fileRank: { definitionBoost: 1, ...vw(0.5) } }],
  ],
  // round 5 (session 5): doc intent read from prose only (a bug report's title), a whole-file BM25
  // list beside the chunk aggregate, dotted module names as file mentions, `Class.member` calling out
  // Class. 'legacy' switches all of them off.
  '5': [
    ['legacy', 'hybrid', true, { plan: LEGACY_PLAN, fileRank: LEGACY_FILES }],
    ['docs-prose', 'hybrid', true, { fileRank: LEGACY_FILES }],
    ['docs-prose file1', 'hybrid', true, { fileRank: { ...LEGACY_FILES, fileBm25Weight: 1 } }],
    ['docs-prose file.5', 'hybrid', true, { fileRank: { ...LEGACY_FILES, fileBm25Weight: 0.5 } }],
    ['docs-prose file1 chunk0', 'hybrid', true, { fileRank: { ...LEGACY_FILES, fileBm25Weight: 1, chunkBm25Weight: 0 } }],
    ['docs-prose modules owners', 'hybrid', true, { fileRank: { ...LEGACY_FILES, moduleMentions: true, definitionOwners: true } }],
    ['all (file1)', 'hybrid', true, { fileRank: { ...LEGACY_FILES, fileBm25Weight: 1, moduleMentions: true, definitionOwners: true } }],
  ],
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { split: { type: 'string', default: 'A' }, round: { type: 'string', default: '1' } } });
  if (values.split !== 'A') process.stderr.write('warning: selecting variants on a split other than A\n');
  const dataDir = sharedDataDir('retrieval-swe-dev');
  const tasks = loadSweTasks(dataDir).filter((t) => t.split === values.split);
  const embedder = createEmbedder('keel-code', {});
  const variants: SweVariant[] = ROUNDS[values.round!].map(([name, mode, rerank, options]) => ({
    name, kind: 'search', mode, reranker: rerank ? new LocalReranker() : undefined, options,
  }));
  const { scores } = await runSwe(dataDir, tasks, variants, embedder, (l) => process.stderr.write(`${l}\n`));
  const mean = (rows: TaskScore[], f: (r: TaskScore) => number): string => (rows.reduce((s, r) => s + f(r), 0) / Math.max(1, rows.length)).toFixed(3);
  console.log(`split ${values.split}, round ${values.round}: ${tasks.length} tasks, ${variants.length} variants`);
  console.log(`${'variant'.padEnd(26)} ${['all R10', 'all MRR', 'py R10', 'py MRR', 'js R10', 'js MRR'].map((h) => h.padStart(8)).join(' ')}`);
  // per-task scores, for paired intervals between variants (tsx scripts/lib/bootstrap.ts a.json b.json)
  const out = path.join(cacheDir(), 'runs', `grid-round${values.round}-${values.split}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(Object.fromEntries([...scores].map(([k, rows]) => [k, rows.map(({ id, r10, mrr10, top }) => ({ id, r10, mrr10, top }))]))));
  for (const v of variants) {
    const rows = scores.get(v.name)!;
    const py = rows.filter((r) => r.language === 'python');
    const js = rows.filter((r) => r.language !== 'python');
    console.log(`${v.name.padEnd(26)} ${[mean(rows, (r) => r.r10), mean(rows, (r) => r.mrr10), mean(py, (r) => r.r10), mean(py, (r) => r.mrr10), mean(js, (r) => r.r10), mean(js, (r) => r.mrr10)].map((x) => x.padStart(8)).join(' ')}`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
