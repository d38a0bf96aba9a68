/**
 * ORM-level unbounded and destructive writes in Python: Django `Model.objects.all().delete()` /
 * `.update(…)` without filter(); SQLAlchemy `session.query(M).delete()/update()` without a filter
 * and Core `delete(M)` / `update(M)` without `.where(…)`; `metadata.drop_all()` / `__table__.drop()`.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import type { FileContext, RawFinding } from '../model';
import { chainCalls, outermostPyChain, pyPath } from './syntax';

const FILTERS = new Set(['filter', 'filter_by', 'exclude', 'get', 'where', 'get_object_or_404', 'in_bulk']);

export function analyzePyOrmWrites(_file: FileContext, calls: readonly SyntaxNode[], modules: ReadonlySet<string>): RawFinding[] {
  const out: RawFinding[] = [];
  // Bare update()/delete() are SQLAlchemy Core only when imported from it (sympy has an update() too).
  const core = modules.has('sqlalchemy') || modules.has('sqlmodel');
  for (const call of calls) {
    const fn = call.childForFieldName('function');
    if (!fn) continue;
    const path = pyPath(fn);
    const name = path[path.length - 1];
    if (fn.type === 'attribute' && (name === 'delete' || name === 'update')) {
      const chain = chainCalls(call).map((c) => pyPath(c.childForFieldName('function')!).pop() ?? '');
      const orm = path.includes('objects') || path.some((p) => p === 'query()');
      if (orm && !chain.some((c) => FILTERS.has(c))) {
        out.push(unbounded(call, `${path.join('.')}`));
      }
      continue;
    }
    if (core && fn.type === 'identifier' && (name === 'delete' || name === 'update')) {
      // SQLAlchemy Core: delete(User) / update(User).values(…): the statement is the outermost chain.
      const outer = outermostPyChain(call);
      const chain = chainCalls(outer).map((c) => pyPath(c.childForFieldName('function')!).pop() ?? '');
      const model = call.childForFieldName('arguments')?.namedChildren[0];
      if (model && /^[A-Z]/.test(model.text) && !chain.includes('where') && !chain.includes('filter')) out.push(unbounded(outer, `${name}(${model.text})`));
      continue;
    }
    if (name === 'drop_all' || (name === 'drop' && path.includes('__table__'))) {
      out.push({
        category: 'destructive-statement',
        node: call,
        message: `${path.join('.')}() drops tables irrecoverably. Schema changes belong in migrations; tests and tooling can suppress this with keel-ignore.`,
        related: [],
        fixes: [],
      });
    }
  }
  return out;
}

function unbounded(node: SyntaxNode, what: string): RawFinding {
  return {
    category: 'unbounded-write',
    node,
    message: `${what}() has no filter, so it changes every row of the table. Add filter()/where() (or suppress with keel-ignore if every row is really meant).`,
    related: [],
    fixes: [],
  };
}
