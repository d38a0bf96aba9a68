/**
 * One walk over a syntax tree, bucketing the node types the analyzers need. Every `.parent`,
 * `childForFieldName` or `descendantsOfType` crosses into WASM and allocates a node wrapper; a full
 * `descendantsOfType` costs milliseconds on a 1,000-line file, so analyzers share this index instead
 * of each walking the tree, and test containment by (cached) ranges instead of walking parents.
 */
import type { SyntaxNode } from '../syntax/treeSitter';

export class NodeIndex {
  private readonly byType = new Map<string, SyntaxNode[]>();
  private readonly ends = new Map<number, number>();

  constructor(readonly root: SyntaxNode, types: readonly string[]) {
    const names = new Map<number, string>();
    for (const t of types) this.byType.set(t, []);
    for (const n of root.descendantsOfType(types as string[])) {
      if (!n) continue;
      let type = names.get(n.typeId);
      if (type === undefined) {
        type = n.type;
        names.set(n.typeId, type);
      }
      this.byType.get(type)?.push(n);
    }
  }

  /** Nodes of the given types in document order. */
  of(...types: string[]): SyntaxNode[] {
    if (types.length === 1) return this.byType.get(types[0]) ?? [];
    return types.flatMap((t) => this.byType.get(t) ?? []).sort((a, b) => a.startIndex - b.startIndex);
  }

  /** Nodes of `types` lying inside `outer`. */
  within(outer: SyntaxNode, ...types: string[]): SyntaxNode[] {
    return this.of(...types).filter((n) => this.contains(outer, n));
  }

  end(node: SyntaxNode): number {
    let e = this.ends.get(node.id);
    if (e === undefined) {
      e = node.endIndex;
      this.ends.set(node.id, e);
    }
    return e;
  }

  /** `inner` is `outer` or lies inside it (tree nodes nest, so the start offset decides). */
  contains(outer: SyntaxNode, inner: SyntaxNode): boolean {
    return inner.startIndex >= outer.startIndex && inner.startIndex < this.end(outer) && (inner.startIndex > outer.startIndex || this.end(inner) <= this.end(outer));
  }
}
