/**
 * SQL injection, statement checks and N+1 for Go and Java (see spec.ts). Injection findings at calls
 * that take bound values carry the parameterise fix (parameterize.ts); the suppression fix and
 * "Explain & fix with AI" always apply. (Plain JDBC `Statement.executeQuery(sql)` gets no rewrite: it
 * would become a PreparedStatement across several lines.)
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import type { NodeIndex } from '../nodeIndex';
import { looksLikeSqlFragment, looksLikeSqlStatement } from '../sqlText';
import { statementFindings } from '../statementFindings';
import { StaticConstness } from './constness';
import { GO } from './go';
import { parameterizeFixes } from './parameterize';
import { JAVA } from './java';
import type { Callee, StaticSpec } from './spec';

export function staticSpecFor(language: string): StaticSpec | undefined {
  return language === 'go' ? GO : language === 'java' ? JAVA : undefined;
}

export function staticIndexTypes(spec: StaticSpec): string[] {
  return [...new Set([spec.callType, ...spec.commentTypes, ...spec.scopeTypes, ...spec.bindingTypes, ...spec.loopTypes])];
}

export function analyzeStatic(file: FileContext, index: NodeIndex, spec: StaticSpec): RawFinding[] {
  const constness = new StaticConstness(index, spec);
  const calls: Array<{ node: SyntaxNode; callee: Callee }> = [];
  for (const node of index.of(spec.callType)) {
    const callee = spec.callee(node);
    if (callee) calls.push({ node, callee });
  }
  const out: RawFinding[] = [];
  for (const { node: call, callee } of calls) {
    const shape = spec.sinkShape(callee);
    if (!shape) continue;
    for (const arg of callee.args) {
      const pieces = constness.pieces(arg);
      if (pieces.length === 0) continue;
      const text = StaticConstness.text(pieces);
      if (!(shape === 'statement' ? looksLikeSqlStatement(text) : looksLikeSqlFragment(text))) continue;
      const culprit = constness.firstTainted(pieces);
      if (culprit) {
        const taint = constness.check(culprit);
        const rel = [related(file, culprit, 'Non-constant value built into the SQL text')];
        if (taint?.origin) rel.push(related(file, taint.origin, 'The value comes from here'));
        out.push({
          category: 'sql-injection',
          node: arg,
          message: `SQL injection: \`${culprit.text.replace(/\s+/g, ' ').slice(0, 40)}\` is built into the SQL text passed to ${[...callee.receiver, callee.name].join('.')}(). Pass it as a bound parameter (${spec.language === 'go' ? '$1 / ? placeholders with the value as an argument' : 'a PreparedStatement with ? and setString/setLong, or named parameters'}) instead.`,
          related: rel,
          fixes: shape === 'statement' ? parameterizeFixes(file, { call, callee, sqlArg: arg }, constness, spec) : [],
        });
      }
      out.push(...statementFindings(text, arg));
      break;
    }
  }
  out.push(...nPlusOne(file, index, spec, calls));
  return out;
}

function nPlusOne(file: FileContext, index: NodeIndex, spec: StaticSpec, calls: Array<{ node: SyntaxNode; callee: Callee }>): RawFinding[] {
  const loops = index
    .of(...spec.loopTypes)
    .map((node) => ({ node, loop: spec.loop(node) }))
    .filter((l): l is { node: SyntaxNode; loop: NonNullable<ReturnType<StaticSpec['loop']>> } => l.loop !== null && l.loop.items.length > 0);
  if (loops.length === 0) return [];
  const out: RawFinding[] = [];
  for (const { node: call, callee } of calls) {
    if (!spec.isDbCall(callee)) continue;
    const loop = loops
      .filter((l) => index.contains(l.loop.body, call))
      .sort((a, b) => b.loop.body.startIndex - a.loop.body.startIndex)
      .find((l) => callee.args.some((a) => mentions(a, l.loop.items)));
    if (!loop) continue;
    out.push({
      category: 'n-plus-one',
      node: call,
      message: `N+1 query: ${[...callee.receiver, callee.name].join('.')}() runs once per item of \`${(loop.loop.iterable?.text ?? 'the loop').slice(0, 40)}\`, so N items cost N+1 round trips. Query once for all items (WHERE id IN (…) / = ANY($1)${spec.language === 'java' ? ', findAllById, or a JOIN FETCH' : ''}) and look rows up in memory.`,
      related: [related(file, loop.node, 'The loop')],
      fixes: [],
    });
  }
  return out;
}

function mentions(node: SyntaxNode, names: readonly string[]): boolean {
  if (node.type === 'identifier' && names.includes(node.text)) return true;
  return node.descendantsOfType('identifier').some((i) => i !== null && names.includes(i.text));
}
