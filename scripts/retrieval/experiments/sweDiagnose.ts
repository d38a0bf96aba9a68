/**
 * Why a bug-report task misses: for each task of a split (A by default — B stays unread), where each
 * gold file sits in every signal (BM25 file aggregate, vector, fused file ranking, final hybrid+rerank,
 * whole-file reference), and which files rank above it with their kinds and scores.
 *   tsx scripts/retrieval/experiments/sweDiagnose.ts [--split A] [--only id,id] [--misses]
 */
import { parseArgs } from 'node:util';
import { createEmbedder } from '../../../src/engine/embed/registry';
import { fileKind } from '../../../src/engine/index/fileKind';
import { hybridSearch } from '../../../src/engine/search/hybrid';
import { DEFAULT_FILE_RANK, rankFiles } from '../../../src/engine/search/fileRank';
import { planQuery } from '../../../src/engine/search/queryPlan';
import { LocalReranker } from '../../../src/engine/search/rerank/local';
import { allFiles, CorpusBuilder, loadSweTasks, sharedDataDir, workspaceFor } from '../sweDev';
import { wholeFileBm25 } from '../wholeFileBm25';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { split: { type: 'string', default: 'A' }, only: { type: 'string' }, misses: { type: 'boolean', default: false } } });
  const dataDir = sharedDataDir('retrieval-swe-dev');
  let tasks = loadSweTasks(dataDir).filter((t) => values.split === 'all' || t.split === values.split);
  if (values.only) tasks = tasks.filter((t) => values.only!.split(',').includes(t.id));
  const embedder = createEmbedder('keel-code', {});
  const builder = new CorpusBuilder(embedder);
  const log = (l: string): void => void process.stderr.write(`${l}\n`);
  let repo = '';
  for (const task of tasks) {
    const ws = workspaceFor(dataDir, task.id, log);
    if (task.repo !== repo) builder.reset();
    repo = task.repo;
    const corpus = await builder.build(ws);
    const plan = planQuery(task.query);
    const keyword = corpus.source.keywordSearch(plan.terms, 300);
    const vector = await corpus.source.vectorSearch(task.query, 300);
    const files = rankFiles(keyword, vector, plan, DEFAULT_FILE_RANK);
    const fileOrder = [...files.values()].sort((a, b) => b.score - a.score).map((f) => f.key.replace(/^\d+:/, ''));
    const bm25Files = [...new Set(keyword.map((h) => h.chunk.path))];
    const vecFiles = [...new Set(vector.map((h) => h.chunk.path))];
    const result = await hybridSearch(corpus.source, task.query, { top: 30, reranker: new LocalReranker() });
    const final = [...new Set(result.passages.map((p) => p.path))];
    const ref = wholeFileBm25(ws, allFiles(ws), task.query, 1000);
    const gold = new Set(task.gold);
    const hits = final.slice(0, 10).filter((f) => gold.has(f)).length;
    if (values.misses && hits === task.gold.length) continue;
    const rank = (list: string[], g: string): string => {
      const i = list.indexOf(g);
      return i < 0 ? '-' : String(i + 1);
    };
    console.log(`\n=== ${task.id} [${task.split}] ${task.language} gold ${task.gold.length} hit@10 ${hits} class=${plan.class} qlen=${task.query.length}`);
    console.log(`  plan: ids=${plan.identifiers.slice(0, 15).join(' ')} | paths=${plan.paths.slice(0, 8).join(' ')} | frames=${plan.frames.length} | errors=${plan.errors.slice(0, 2).join(' / ')}`);
    for (const g of task.gold) {
      console.log(`  gold ${g} (${fileKind(g)}): bm25 ${rank(bm25Files, g)} vec ${rank(vecFiles, g)} fused ${rank(fileOrder, g)} final ${rank(final, g)} ref ${rank(ref, g)}`);
    }
    console.log('  final top 10:');
    final.slice(0, 10).forEach((f, i) => {
      const mark = gold.has(f) ? '*' : ' ';
      console.log(`   ${mark}${String(i + 1).padStart(2)} ${f} (${fileKind(f)}) bm25 ${rank(bm25Files, f)} vec ${rank(vecFiles, f)} fused ${rank(fileOrder, f)} ref ${rank(ref, f)}`);
    });
    console.log(`  ref top 5: ${ref.slice(0, 5).join(' ')}`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
