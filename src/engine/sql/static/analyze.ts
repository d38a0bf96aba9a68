/**
 * SQL injection, statement checks and N+1 for Go and Java (see spec.ts). Injection findings at calls
 * that take bound values carry the parameterise fix (parameterize.ts); the suppression fix and
 * "Explain & fix with AI" always apply. (Plain JDBC `Statement.executeQuery(sql)` gets no rewrite: it
 * would become a PreparedStatement across several lines.)
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import type { NodeIndex } from '../nodeIndex';
import { HOLE, looksLikeSqlFragment, looksLikeSqlStatement } from '../sqlText';
import { statementFindings } from '../statementFindings';
import { StaticConstness, type StaticPart, type StaticTaint } from './constness';
import { GO } from './go';
import { mybatisFindings } from './mybatis';
import { staticNPlusOne } from './nPlusOne';
import { parameterizeFixes } from './parameterize';
import { JAVA } from './java';
import type { Callee, StaticSpec } from './spec';

export function staticSpecFor(language: string): StaticSpec | undefined {
  return language === 'go' ? GO : language === 'java' ? JAVA : undefined;
}

export function staticIndexTypes(spec: StaticSpec): string[] {
  return [...new Set([spec.callType, ...spec.commentTypes, ...spec.scopeTypes, ...spec.bindingTypes, ...spec.loopTypes, ...(spec.ctorTypes ?? []), ...(spec.functions?.returns ?? []), 'enum_declaration'])];
}

export function analyzeStatic(file: FileContext, index: NodeIndex, spec: StaticSpec): RawFinding[] {
  const constness = new StaticConstness(index, spec);
  const calls: Array<{ node: SyntaxNode; callee: Callee }> = [];
  for (const node of index.of(spec.callType, ...(spec.ctorTypes ?? []))) {
    const callee = spec.callee(node);
    if (callee) calls.push({ node, callee });
  }
  const out: RawFinding[] = [];
  for (const { node: call, callee } of calls) {
    const receiver = spec.receiverOf?.(call);
    const shape = spec.sinkShape(callee, () => (receiver ? constness.typeOf(receiver) : undefined));
    if (!shape) continue;
    let queryArg: SyntaxNode | undefined | null = null;
    for (const arg of callee.args) {
      const pieces = constness.pieces(arg);
      const whole = wholeValue(arg, pieces);
      if (whole) {
        // The SQL argument is one value, not text being built: a String from the request, a parameter or
        // a same-file method is the whole query.
        if (queryArg === null) queryArg = wholeQueryCandidate(callee, constness, spec);
        if (arg !== queryArg || !spec.takesWholeQuery?.(callee, callee.args.indexOf(arg))) continue;
        const taint = constness.wholeQuery(whole, call, callee);
        if (taint) out.push(wholeQueryFinding(file, arg, whole, taint, callee, spec));
        break;
      }
      if (pieces.length === 0) continue;
      // JDBC escape syntax: `{ call proc(?) }`, `{? = call f(?)}`.
      const text = StaticConstness.text(pieces).replace(/^\s*\{\s*(\?\s*=\s*)?/, '');
      if (!(shape === 'statement' ? looksLikeSqlStatement(text) : looksLikeSqlFragment(text) || QUOTED_HOLE.test(text))) continue;
      const culprit = constness.firstTainted(pieces);
      if (culprit) {
        const taint = constness.check(culprit);
        const rel = [related(file, culprit, 'Non-constant value built into the SQL text')];
        if (taint?.origin) rel.push(related(file, taint.origin, taint.kind === 'request' ? `The value comes from the request${taint.source ? ` (${taint.source})` : ''}` : 'The value comes from here'));
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
  out.push(...staticNPlusOne(file, index, spec, calls, constness));
  out.push(...mybatisFindings(file, index, spec));
  return out;
}

const QUOTED_HOLE = new RegExp(`['"][^'"]*${HOLE}`);

/** `arg` is a single value (no text around it): that value. */
function wholeValue(arg: SyntaxNode, pieces: StaticPart[][]): SyntaxNode | null {
  if (pieces.length === 0) return arg;
  if (pieces.length === 1 && pieces[0].length === 1 && pieces[0][0].kind === 'expr') return pieces[0][0].node;
  return null;
}

/**
 * The argument that would hold the SQL: the first one that is not a context, a destination pointer, a
 * null, a class, a non-string typed value, or a non-SQL literal followed by more arguments (JDO's
 * `newQuery("javax.jdo.query.SQL", sql)`).
 */
function wholeQueryCandidate(callee: Callee, constness: StaticConstness, spec: StaticSpec): SyntaxNode | undefined {
  return callee.args.find((x, i) => {
    const more = i < callee.args.length - 1;
    if (x.type === 'cast_expression' && x.childForFieldName('value')?.type === 'null_literal') return false;
    if (/^(null_literal|nil|unary_expression|class_literal|composite_literal|func_literal)$/.test(x.type)) return false;
    if (!more) return true;
    if (x.type === 'identifier' && /^(ctx|context|c|ds|dataSource|tx)$/.test(x.text)) return false;
    if (spec.stringTypes.has(x.type) && !looksLikeSqlFragment(spec.stringValue(x))) return false;
    const type = x.type === 'identifier' ? constness.typeOf(x) : undefined;
    return !(type && !(spec.isStringType?.(type) ?? false));
  });
}

function wholeQueryFinding(file: FileContext, arg: SyntaxNode, whole: SyntaxNode, taint: StaticTaint, callee: Callee, spec: StaticSpec): RawFinding {
  const where = taint.kind === 'request' ? `request data${taint.source ? ` (${taint.source})` : ''}` : taint.kind === 'param' ? 'a parameter' : 'a value of unknown origin';
  const rel = [related(file, whole, 'The whole SQL text')];
  if (taint.origin && taint.origin.id !== whole.id) rel.push(related(file, taint.origin, 'The value comes from here'));
  return {
    category: 'sql-injection',
    node: arg,
    message: `SQL injection: the whole query passed to ${[...callee.receiver, callee.name].join('.')}() is ${where}, \`${whole.text.replace(/\s+/g, ' ').slice(0, 40)}\`. Keep the SQL text constant and pass the values as bound parameters${spec.language === 'java' ? ' (PreparedStatement ?, named parameters)' : ' ($1 / ? placeholders)'}; choose among fixed statements rather than accepting one.`,
    related: rel,
    fixes: [],
  };
}

function mentions(node: SyntaxNode, names: readonly string[]): boolean {
  if (node.type === 'identifier' && names.includes(node.text)) return true;
  return node.descendantsOfType('identifier').some((i) => i !== null && names.includes(i.text));
}
