/**
 * Name → definitions per lexical scope, shared by the JavaScript and Python constness analyses:
 * binding nodes are grouped by their innermost scope once per file, each scope's table is built on
 * first use, and a name resolves to the nearest enclosing scope that binds it. The language says what
 * a scope is, which nodes bind names, and how to read definitions out of them (`collect`).
 */
import type { SyntaxNode } from '../syntax/treeSitter';
import type { NodeIndex } from './nodeIndex';

/** Adds the definitions of one scope: its parameters (unless it is the file itself) and its bindings. */
export type CollectDefs<D> = (scope: SyntaxNode, bindings: readonly SyntaxNode[], add: (name: string, def: D) => void, isFile: boolean) => void;

export class ScopedDefs<D> {
  private readonly tables = new Map<number, Map<string, D[]>>();
  private bindingsByScope: Map<number, SyntaxNode[]> | undefined;

  constructor(
    private readonly index: NodeIndex,
    /** Function-like nodes that open a scope (the file is the outermost scope). */
    private readonly scopes: readonly SyntaxNode[],
    private readonly bindingTypes: readonly string[],
    private readonly collect: CollectDefs<D>,
  ) {}

  /** Definitions of `id`'s name in the nearest enclosing scope that binds it. */
  lookup(id: SyntaxNode): D[] {
    const enclosing = this.scopes.filter((s) => this.index.contains(s, id)).sort((a, b) => b.startIndex - a.startIndex);
    enclosing.push(this.index.root);
    for (const scope of enclosing) {
      const found = this.defsIn(scope).get(id.text);
      if (found && found.length > 0) return found;
    }
    return [];
  }

  /** The innermost scope containing `node` (not `node` itself), or the file. */
  private scopeOf(node: SyntaxNode): SyntaxNode {
    let best: SyntaxNode | null = null;
    for (const s of this.scopes) {
      if (s.id === node.id || !this.index.contains(s, node)) continue;
      if (!best || s.startIndex >= best.startIndex) best = s;
    }
    return best ?? this.index.root;
  }

  private defsIn(scope: SyntaxNode): Map<string, D[]> {
    if (!this.bindingsByScope) {
      this.bindingsByScope = new Map();
      for (const b of this.index.of(...this.bindingTypes)) {
        const s = this.scopeOf(b).id;
        const list = this.bindingsByScope.get(s);
        if (list) list.push(b);
        else this.bindingsByScope.set(s, [b]);
      }
    }
    let table = this.tables.get(scope.id);
    if (table) return table;
    table = new Map();
    this.tables.set(scope.id, table);
    const add = (name: string, def: D): void => {
      const list = table!.get(name);
      if (list) list.push(def);
      else table!.set(name, [def]);
    };
    this.collect(scope, this.bindingsByScope.get(scope.id) ?? [], add, scope.id === this.index.root.id);
    return table;
  }
}
