/**
 * Go and Java share one analyzer (analyze.ts): both build SQL with `+` and a format function
 * (fmt.Sprintf / String.format) and bind names with declarations and assignments. What differs —
 * node types, how a callee and its receiver are read, which calls are sinks — is described here,
 * one `StaticSpec` per language (go.ts, java.ts).
 */
import type { SyntaxNode } from '../../syntax/treeSitter';

export interface Callee {
  /** Last name: `db.QueryRow` → "QueryRow". */
  name: string;
  /** Dotted receiver chain: `s.db.QueryRow` → ["s", "db"]; empty for plain calls. */
  receiver: string[];
  args: SyntaxNode[];
}

/** `$1, $2` (PostgreSQL drivers) or `?` (MySQL, SQLite, gorm, JDBC). */
export type PlaceholderStyle = 'dollar' | 'question';

export interface StaticSpec {
  language: 'go' | 'java';
  callType: string;
  commentTypes: string[];
  /** Function-like scopes (names declared inside resolve there first). */
  scopeTypes: string[];
  /** Node types that bind names, resolved to their scope by range. */
  bindingTypes: string[];
  loopTypes: string[];
  stringTypes: ReadonlySet<string>;
  callee(call: SyntaxNode): Callee | null;
  /** Cooked value of a string literal. */
  stringValue(node: SyntaxNode): string;
  /** `fmt.Sprintf(f, a…)` / `String.format(f, a…)` / `f.formatted(a…)`: the format literal and its arguments. */
  formatCall(call: SyntaxNode, callee: Callee): { format: SyntaxNode; args: SyntaxNode[] } | null;
  /** Calls whose result is never attacker text (numbers, escaping, empty containers). */
  isSafeCall(callee: Callee): boolean;
  /** Calls whose result is constant iff these arguments are (strings.Join, String.join, strings.Repeat). */
  passThroughArgs(callee: Callee): SyntaxNode[] | null;
  /** Does this call execute or splice SQL (statement or fragment)? */
  sinkShape(callee: Callee): 'statement' | 'fragment' | null;
  /** Calls that hit the database (for N+1). */
  isDbCall(callee: Callee): boolean;
  /** Names bound by a binding node, with the value each takes (null: unknown/untrusted source). */
  bindings(node: SyntaxNode): Array<{ name: string; value: SyntaxNode | null; kind: 'assign' | 'append' | 'opaque' }>;
  params(scope: SyntaxNode): string[];
  /**
   * Where a statement sink takes bound values: the placeholder style(s) it may expect (two: cannot
   * tell, offer both) and the index of its first bound-value argument. Null: no parameterise fix.
   */
  bindSite?(call: SyntaxNode, callee: Callee, sqlArgIndex: number, sqlText: string, fileText: string): { styles: PlaceholderStyle[]; firstValueArg: number } | null;
  /** A loop's body and per-item names, or null if it is not a per-item loop. */
  loop(node: SyntaxNode): { body: SyntaxNode; items: string[]; iterable?: SyntaxNode } | null;
}
