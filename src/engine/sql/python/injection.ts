/** SQL injection and statement checks for Python (see ../js/injection.ts for the JS counterpart). */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import { looksLikeSqlFragment, looksLikeSqlStatement } from '../sqlText';
import { statementFindings } from '../statementFindings';
import type { NodeIndex } from '../nodeIndex';
import type { PyConstness } from './constness';
import { pyParameterizeFix } from './parameterize';
import { pyPieces, pySqlText, type PyPiece } from './pieces';
import { pySinkOf } from './sinks';

export function analyzePySql(file: FileContext, _index: NodeIndex, calls: readonly SyntaxNode[], constness: PyConstness, modules: ReadonlySet<string>): RawFinding[] {
  const out: RawFinding[] = [];
  for (const call of calls) {
    const sink = pySinkOf(call, modules);
    if (!sink) continue;
    const sqlArgs = sink.sqlArg.type === 'list' ? sink.sqlArg.namedChildren.filter((c): c is SyntaxNode => c !== null) : [sink.sqlArg];
    for (const sqlArg of sqlArgs) {
      const pieces = pyPieces(sqlArg, constness);
      if (pieces.length === 0) continue;
      const text = pySqlText(pieces);
      const taint = constness.check(sqlArg);
      if (taint) {
        const rawOnly = sink.api.endsWith('RawSQL');
        const evidence = rawOnly || (sink.shape === 'statement' ? looksLikeSqlStatement(text) : looksLikeSqlFragment(text));
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
