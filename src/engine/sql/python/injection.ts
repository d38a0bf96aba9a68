/** SQL injection and statement checks for Python (see ../js/injection.ts for the JS counterpart). */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import { looksLikeSqlFragment, looksLikeSqlStatement } from '../sqlText';
import { statementFindings } from '../statementFindings';
import type { NodeIndex } from '../nodeIndex';
import type { PyConstness } from './constness';
import { pyParameterizeFix } from './parameterize';
import { flattenPy, pyPieces, pySqlText, type PyPart, type PyPiece } from './pieces';
import { positionalArgs, pyPath, unwrapPy } from './syntax';
import { pySinkOf, type PySink } from './sinks';

export function analyzePySql(file: FileContext, index: NodeIndex, calls: readonly SyntaxNode[], constness: PyConstness, modules: ReadonlySet<string>): RawFinding[] {
  const assignments = index.of('assignment');
  const out: RawFinding[] = [];
  const reached = new Set<number>();
  const importedSink = (call: SyntaxNode): PySink | null => {
    const fn = call.childForFieldName('function');
    const s = fn && file.imported?.get(pyPath(fn).join('.'));
    const arg = s?.sqlParam !== undefined ? positionalArgs(call)[s.sqlParam] : undefined;
    return fn && arg ? { call, sqlArg: arg, shape: 'statement', api: pyPath(fn).join('.'), driver: 'sqlalchemy' } : null;
  };
  for (const call of calls) {
    const sink = pySinkOf(call, modules) ?? (file.imported?.size ? importedSink(call) : null);
    if (!sink) continue;
    const sqlArgs = sink.sqlArg.type === 'list' ? sink.sqlArg.namedChildren.filter((c): c is SyntaxNode => c !== null) : [sink.sqlArg];
    for (const sqlArg of sqlArgs) {
      const pieces = pyPieces(sqlArg, constness);
      const taint = constness.check(sqlArg);
      // A whole query taken from the request (or argv/env) needs no SQL-looking text to be an injection.
      const wholeFromSource = !!taint?.source && !pieces.some((p) => p.parts.some((x) => x.kind === 'text' && x.value.trim() !== ''));
      if (pieces.length === 0 && !wholeFromSource) continue;
      for (const p of pieces) reached.add(p.expr.id);
      const text = pySqlText(pieces);
      if (taint) {
        const formatted = pieces.some((p) => p.form !== 'opaque' && p.form !== 'literal');
        const evidence = wholeFromSource || (sink.rawOnly && formatted) || (sink.shape === 'statement' ? looksLikeSqlStatement(text) : looksLikeSqlFragment(text));
        if (evidence) {
          const culprit = taintedPart(pieces, constness) ?? taint.node;
          const rel = [related(file, culprit, 'Non-constant value formatted into the SQL text')];
          if (taint.origin && (taint.origin.startIndex < sqlArg.startIndex || taint.origin.startIndex >= sqlArg.endIndex)) {
            rel.push(related(file, taint.origin, 'The value comes from here'));
          }
          const fix = sqlArg === sink.sqlArg ? pyParameterizeFix(file, sink, pieces, constness) : null;
          out.push({
            category: 'sql-injection',
            node: sqlArg,
            message: `SQL injection: \`${short(culprit.text)}\` is formatted into the SQL text passed to ${sink.api}(). Anyone who controls it can change the query. Pass it as a bound parameter ${hint(sink.driver)} instead.`,
            related: rel,
            fixes: fix ? [fix] : [],
          });
        }
      }
      out.push(...statementFindings(text, sqlArg));
    }
  }
  out.push(...builtSqlFindings(file, assignments, constness, reached));
  return out;
}

/**
 * SQL text formatted from non-constant data into a variable that no recognised sink in this file
 * executes (it is returned, stored or handed to a helper): reported where it is built, as bandit's
 * B608 does. A string that does reach a sink is reported there instead, once.
 */
function builtSqlFindings(file: FileContext, assignments: readonly SyntaxNode[], constness: PyConstness, reached: ReadonlySet<number>): RawFinding[] {
  const out: RawFinding[] = [];
  for (const a of assignments) {
    const right = a.childForFieldName('right');
    if (!right || a.childForFieldName('left')?.type !== 'identifier' || reached.has(unwrapPy(right).id)) continue;
    const piece = flattenPy(right);
    if (!piece || piece.form === 'literal' || piece.form === 'opaque') continue;
    const holes = piece.parts.filter((p): p is Extract<PyPart, { kind: 'expr' }> => p.kind === 'expr');
    const culprit = holes.find((h) => constness.check(h.node));
    if (!culprit || !looksLikeSqlStatement(pySqlText([piece]))) continue;
    out.push({
      category: 'sql-injection',
      node: right,
      message: `SQL injection: \`${short(culprit.node.text)}\` is formatted into SQL text. Whoever runs this query runs whatever that value contains. Build it with placeholders and pass the value as a bound parameter.`,
      related: [related(file, culprit.node, 'Non-constant value formatted into the SQL text')],
      fixes: [],
    });
  }
  return out;
}

function taintedPart(pieces: readonly PyPiece[], constness: PyConstness): SyntaxNode | undefined {
  for (const piece of pieces) for (const p of piece.parts) if (p.kind === 'expr' && constness.check(p.node)) return p.node;
  return undefined;
}

function hint(driver: string): string {
  switch (driver) {
    case 'sqlalchemy-text':
      return '(:name in text() and a dict of values on execute)';
    case 'sqlite':
      return '(? with a tuple of values)';
    case 'asyncpg':
      return '($1, $2 … as extra arguments)';
    case 'django-raw':
    case 'django-extra':
      return '(%s with params=[…])';
    default:
      return '(%s with a tuple of values as the second argument)';
  }
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}…` : one;
}
