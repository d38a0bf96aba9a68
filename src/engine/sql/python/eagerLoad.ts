/**
 * The eager-loading fix for Python N+1s: Django `select_related("rel")` (forward FK/one-to-one) or
 * `prefetch_related("rel")` (reverse FK/many-to-many) right after `Model.objects`; SQLAlchemy
 * `.options(joinedload(Model.rel))` / `.options(selectinload(Model.rel))` right after the
 * `select(Model)` / `session.query(Model)` call, adding the import when it is missing.
 */
import type { FixWire, TextEditWire } from '../../../protocol';
import type { SyntaxNode } from '../../syntax/treeSitter';
import { insertAt, type FileContext } from '../model';
import type { OrmSource } from './nPlusOne';

export function eagerLoadFix(file: FileContext, source: OrmSource, rel: string, use: 'single' | 'collection'): FixWire | null {
  if (source.orm === 'django') {
    const method = use === 'collection' ? 'prefetch_related' : 'select_related';
    return {
      title: `Eager-load ${rel} with ${method}("${rel}")`,
      kind: 'eager-load',
      isPreferred: true,
      edits: [insertAt(file, source.anchor.endIndex, `.${method}("${rel}")`)],
    };
  }
  if (!source.model) return null;
  const loader = use === 'collection' ? 'selectinload' : 'joinedload';
  const edits: TextEditWire[] = [insertAt(file, source.anchor.endIndex, `.options(${loader}(${source.model}.${rel}))`)];
  const importEdit = ensureImport(file, moduleOf(source.anchor), loader);
  if (importEdit === null) return null;
  if (importEdit) edits.unshift(importEdit);
  return { title: `Eager-load ${source.model}.${rel} with ${loader}`, kind: 'eager-load', isPreferred: true, edits };
}

/** An edit importing `name` from sqlalchemy.orm, undefined if already imported, null if unsure. */
function ensureImport(file: FileContext, root: SyntaxNode, name: string): TextEditWire | undefined | null {
  let ormImport: SyntaxNode | undefined;
  let lastImport: SyntaxNode | undefined;
  for (const stmt of root.namedChildren) {
    if (!stmt || (stmt.type !== 'import_from_statement' && stmt.type !== 'import_statement' && stmt.type !== 'future_import_statement')) continue;
    lastImport = stmt;
    if (stmt.type === 'import_from_statement' && stmt.childForFieldName('module_name')?.text === 'sqlalchemy.orm') {
      if (stmt.descendantsOfType('dotted_name').some((d) => d?.text === name && d.id !== stmt.childForFieldName('module_name')?.id)) return undefined;
      ormImport = stmt;
    }
  }
  if (ormImport) {
    const names = ormImport.descendantsOfType(['dotted_name', 'aliased_import']).filter((d) => d && d.id !== ormImport!.childForFieldName('module_name')?.id && d.parent?.type !== 'aliased_import');
    const last = names[names.length - 1];
    if (!last) return null;
    return insertAt(file, last.endIndex, `, ${name}`);
  }
  const at = lastImport ? lastImport.endIndex : 0;
  return insertAt(file, at, lastImport ? `\nfrom sqlalchemy.orm import ${name}` : `from sqlalchemy.orm import ${name}\n`);
}

function moduleOf(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}
