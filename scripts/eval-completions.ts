/**
 * Context quality for inline completions, without a model (issue 21): on held-back lines of real code,
 * how many of the identifiers in the masked line have their DEFINITION inside the assembled prompt —
 * Keel's context (window + definitions + imports + similar code) against a prefix-only prompt of the
 * same token budget, computed in the same run.
 *   npm run eval:completions [-- --lines 150 --split test|dev|all --budget 2048]
 *
 * Data: real repositories as npm ships them in node_modules (sources, not our fixtures):
 *   dev  (variants were chosen here): undici/lib, mocha/lib, ajv/lib
 *   test (reported):                  openai/src, @anthropic-ai/sdk/src, zod/src, eslint/lib
 * Per repository: every file chunked by the product chunker into an in-memory index; candidate lines are
 * code lines (not comments, imports or definitions) using at least one identifier that is defined in
 * 1–3 places in the repository (a capture scan over every line, independent of the chunker's symbols)
 * and not on the line itself; a seeded sample of them is masked one at a time: the line is removed and
 * the cursor put at its indentation. The line's own chunk is never context (inWindow rule).
 * Score per line: share of its identifiers with a definition line (trimmed) present in the prompt.
 * Prints per-repo figures, the paired-bootstrap 95% interval of (context − prefix-only), and last one JSON line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assembleContext, DEFAULT_BUDGET, memoryCompletionIndex, SymbolTable, type ContextBudget } from '../src/engine/completions/context';
import { chunkFile } from '../src/engine/index/chunker';
import { MemorySource, type MemoryChunk } from '../src/engine/search/source';
import { pairedBootstrap, seededRandom } from './lib/bootstrap';
import { loadRepo, type RepoFile } from './completions/repos';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const LINES = Number(arg('lines', '150'));
const SPLIT = arg('split', 'test');
const BUDGET = Number(arg('budget', String(DEFAULT_BUDGET.total)));
/** Development only: try a budget variant (JSON of ContextBudget fields) on the dev split. */
const VARIANT = JSON.parse(arg('variant', '{}')) as Partial<ContextBudget>;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

const SPLITS: Record<string, string[]> = {
  dev: ['undici/lib', 'mocha/lib', 'ajv/lib'],
  test: ['openai/src', '@anthropic-ai/sdk/src', 'zod/src', 'eslint/lib'],
};

const CAPTURES = [
  /\b(?:function\*?|class|interface|type|enum|def|func)\s+([A-Za-z_$][\w$]*)/g,
  /^\s*(?:export\s+)?(?:declare\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=/g,
  /^\s*(?:(?:public|private|protected|static|async|override|readonly|abstract|get|set)\s+)*#?([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\([^)]*\)\s*(?::\s*[^={;]+)?\{\s*$/g,
  /^\s*(?:this\.|exports\.|module\.exports\.)?([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)/g,
];
const NOT_NAMES = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'constructor', 'super', 'new', 'typeof', 'await']);
const STOP = new Set('const let var function return if else for while new this true false null undefined typeof instanceof await async class extends import export from default throw try catch finally switch case break continue type interface string number boolean void any unknown never object in of delete yield static public private protected readonly get set Error Promise Object Array String Number Boolean Symbol Map Set JSON Math Date require module exports'.split(' '));

interface Site { file: string; line: number; text: string }

function definitionSites(files: readonly RepoFile[]): Map<string, Site[]> {
  const sites = new Map<string, Site[]>();
  for (const f of files) {
    f.lines.forEach((text, i) => {
      for (const re of CAPTURES) {
        re.lastIndex = 0;
        for (const m of text.matchAll(re)) {
          const name = m[1]!;
          if (NOT_NAMES.has(name)) continue;
          let list = sites.get(name);
          if (!list) sites.set(name, (list = []));
          if (!list.some((s) => s.file === f.path && s.line === i)) list.push({ file: f.path, line: i, text: text.trim() });
        }
      }
    });
  }
  return sites;
}

interface Probe { file: RepoFile; line: number; names: string[] }

function candidates(files: readonly RepoFile[], sites: Map<string, Site[]>): Probe[] {
  const out: Probe[] = [];
  for (const f of files) {
    f.lines.forEach((text, i) => {
      const t = text.trim();
      if (t.length < 10 || /^(?:\/\/|\/\*|\*|#)/.test(t) || /^(?:import|export\s+\{|export\s+\*|} from)|require\(/.test(t)) return;
      const names = new Set<string>();
      for (const m of t.matchAll(/[A-Za-z_$][\w$]*/g)) {
        const name = m[0];
        if (name.length < 3 || STOP.has(name)) continue;
        const s = sites.get(name);
        if (!s || s.length < 1 || s.length > 3) continue;
        if (s.some((x) => x.file === f.path && x.line === i)) return; // a definition line, not a use
        if (s.every((x) => x.text.length < 8)) continue;
        names.add(name);
      }
      if (names.size) out.push({ file: f, line: i, names: [...names] });
    });
  }
  return out;
}

async function indexRepo(files: readonly RepoFile[]): Promise<{ source: MemorySource; symbols: SymbolTable; chunks: number }> {
  const source = new MemorySource();
  const all: MemoryChunk[] = [];
  for (const f of files) {
    (await chunkFile(f.path, f.text)).forEach((c, i) => all.push({ id: `${f.path}#${i}`, path: f.path, language: c.language, symbol: c.symbol, startLine: c.startLine, endLine: c.endLine, text: c.text }));
  }
  await source.add(all);
  return { source, symbols: new SymbolTable(all), chunks: all.length };
}

async function main(): Promise<void> {
  const repos = SPLIT === 'all' ? [...SPLITS.dev!, ...SPLITS.test!] : SPLITS[SPLIT];
  if (!repos) throw new Error(`--split must be dev, test or all (got ${SPLIT})`);
  const ctxScores: number[] = [];
  const prefixScores: number[] = [];
  const windowScores: number[] = [];
  const sectionTokens: number[] = [];
  let cpu = 0;
  for (const repo of repos) {
    const files = loadRepo(repo);
    if (!files.length) {
      log(`${repo}: not installed (node_modules), skipped`);
      continue;
    }
    const { source, symbols, chunks } = await indexRepo(files);
    const index = memoryCompletionIndex(source, symbols);
    const sites = definitionSites(files);
    const pool = candidates(files, sites);
    const random = seededRandom(21);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const probes = pool.slice(0, LINES);
    const repoCtx: number[] = [];
    const repoPrefix: number[] = [];
    for (const p of probes) {
      const masked = p.file.lines[p.line]!;
      const indent = /^\s*/.exec(masked)![0];
      const lines = [...p.file.lines];
      lines[p.line] = indent;
      const text = lines.join('\n');
      const offset = lines.slice(0, p.line).join('\n').length + (p.line > 0 ? 1 : 0) + indent.length;
      const input = { path: p.file.path, displayPath: p.file.path, languageId: p.file.language, text, offset };
      const full: ContextBudget = { ...DEFAULT_BUDGET, total: BUDGET, ...VARIANT };
      const c0 = process.cpuUsage();
      const ctx = await assembleContext(index as never, input, full);
      const d = process.cpuUsage(c0);
      cpu += (d.user + d.system) / 1000;
      const prefixOnly = await assembleContext(undefined, input, { total: BUDGET, prefixShare: 1, suffixShare: 0, sections: { definitions: false, imports: false, similar: false, recent: false } });
      const windowOnly = await assembleContext(undefined, input, { total: BUDGET, prefixShare: 1, suffixShare: DEFAULT_BUDGET.suffixShare, sections: { definitions: false, imports: false, similar: false, recent: false } });
      const score = (prompt: string): number => {
        const have = new Set(prompt.split('\n').map((l) => l.trim()));
        // Context sections are comment-framed in FIM prompts; compare the code itself.
        const hits = p.names.filter((n) => sites.get(n)!.some((s) => s.text.length >= 8 && !(s.file === p.file.path && s.line === p.line) && have.has(s.text)));
        return hits.length / p.names.length;
      };
      const a = score([ctx.prefix, ctx.suffix, ...ctx.sections.map((s) => s.text)].join('\n'));
      const b = score(prefixOnly.prefix);
      windowScores.push(score(`${windowOnly.prefix}\n${windowOnly.suffix}`));
      repoCtx.push(a);
      repoPrefix.push(b);
      sectionTokens.push(ctx.tokens);
    }
    ctxScores.push(...repoCtx);
    prefixScores.push(...repoPrefix);
    const m = (xs: number[]): string => (xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length)).toFixed(3);
    log(`${repo}: ${files.length} files, ${chunks} chunks, ${pool.length} candidate lines, ${probes.length} masked; context recall ${m(repoCtx)} vs prefix-only ${m(repoPrefix)}`);
  }
  const mean = (xs: number[]): number => Math.round((xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length)) * 1e4) / 1e4;
  const ci = pairedBootstrap(ctxScores, prefixScores);
  log(`budget ${BUDGET} tokens; prompt tokens used: mean ${mean(sectionTokens).toFixed(0)}`);
  log(`prefix+suffix window (no index) recall: ${mean(windowScores)}`);
  log(`context − prefix-only: ${ci.delta.toFixed(4)} [95% CI ${ci.lo.toFixed(4)}, ${ci.hi.toFixed(4)}] → ${ci.verdict}; ratio ${(mean(ctxScores) / Math.max(1e-9, mean(prefixScores))).toFixed(2)}×`);
  log(`assembly CPU: ${(cpu / Math.max(1, ctxScores.length)).toFixed(2)} ms per line (process.cpuUsage)`);
  log(JSON.stringify({ lines: ctxScores.length, contextRecall: mean(ctxScores), prefixOnlyRecall: mean(prefixScores) }));
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
